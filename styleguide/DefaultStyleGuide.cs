namespace Publisher.StyleGuide;

/// <summary>
/// The example guide that ships with Publisher (<c>styleguide/default-guide.yaml</c>, a fictional
/// "Northwind Coffee"), embedded in this assembly so the app can seed a new install from it.
/// </summary>
public static class DefaultStyleGuide
{
    private const string ResourceName = "Publisher.StyleGuide.default-guide.yaml";

    private static readonly Lazy<string> s_yaml = new(() =>
    {
        using var stream = typeof(DefaultStyleGuide).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>The default guide's YAML, exactly as shipped (comments included).</summary>
    public static string Yaml => s_yaml.Value;

    /// <summary>The default guide, parsed.</summary>
    /// <exception cref="InvalidOperationException">The shipped file is invalid (a build defect, caught by the tests).</exception>
    public static BrandStyleGuide Load()
    {
        var result = StyleGuideYaml.Parse(Yaml);
        return result.Guide ?? throw new InvalidOperationException("The shipped default style guide is invalid: " + string.Join("; ", result.Errors));
    }
}
