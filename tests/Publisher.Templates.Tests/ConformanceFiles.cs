using YamlDotNet.RepresentationModel;

namespace Publisher.Templates.Tests;

/// <summary>Reads the twitter-text conformance YAML from the shared folder next to the repository.</summary>
internal static class ConformanceFiles
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string TwitterTextFolder => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "conformance", "twitter-text"));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Publisher.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"Could not find Publisher.sln above {AppContext.BaseDirectory}.");
    }

    public static string ReadText(string fileName)
    {
        var path = Path.Combine(TwitterTextFolder, fileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The twitter-text conformance file {fileName} is missing: expected it at {path} " +
                "(the shared/conformance/twitter-text folder beside the repository).", path);
        }
        return File.ReadAllText(path);
    }

    /// <summary>The cases of one section (e.g. tests → WeightedTweetsCounterTest) of a conformance file.</summary>
    public static IReadOnlyList<YamlMappingNode> Section(string fileName, string section)
    {
        var yaml = new YamlStream();
        using (var reader = new StringReader(ReadText(fileName))) yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var tests = (YamlMappingNode)root.Children[new YamlScalarNode("tests")];
        if (!tests.Children.TryGetValue(new YamlScalarNode(section), out var node))
        {
            throw new InvalidOperationException($"Section {section} is missing from {fileName}.");
        }
        var cases = ((YamlSequenceNode)node).Children.Cast<YamlMappingNode>().ToList();
        if (cases.Count == 0) throw new InvalidOperationException($"Section {section} of {fileName} has no cases.");
        return cases;
    }

    public static string Scalar(this YamlMappingNode node, string key) =>
        ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value ?? "";

    public static YamlNode Child(this YamlMappingNode node, string key) => node.Children[new YamlScalarNode(key)];
}
