using System.Collections.Concurrent;
using System.Reflection;
using Publisher.Templates.Channels;

namespace Publisher.Templates.Rendering;

/// <summary>The default channel templates shipped in <c>templates/Defaults</c> as embedded resources.</summary>
public static class DefaultTemplates
{
    private static readonly ConcurrentDictionary<string, string> Sources = new();

    /// <summary>The default template source of <paramref name="kind"/>.</summary>
    public static string For(ChannelKind kind) => Read(ChannelProfiles.Get(kind).DefaultTemplate);

    /// <summary>Reads an embedded file of <c>templates/Defaults</c> by file name.</summary>
    internal static string Read(string fileName) => Sources.GetOrAdd(fileName, static name =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Publisher.Templates.Defaults.{name}")
            ?? throw new InvalidOperationException($"The default template {name} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });
}
