using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Publisher.Templates.Channels;
using Publisher.Templates.Model;
using Publisher.Templates.Markdown;
using Publisher.Templates.Rendering;

namespace Publisher.Templates.Tests.Rendering;

/// <summary>
/// Each folder under Golden/ holds input.json (message, brand, campaign, channels) next to the
/// expected output of every channel. Set PUBLISHER_UPDATE_GOLDEN=1 to write the expected files
/// after a deliberate template change, then read the diff before committing it.
/// </summary>
public class GoldenFileTests
{
    private static readonly VariantRenderer Renderer = SharedRenderer.Instance;

    private static string GoldenFolder => Path.Combine(ConformanceFiles.RepoRoot, "tests", "Publisher.Templates.Tests", "Golden");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(GoldenFolder).Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(dir));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_channel_renders_exactly_as_its_golden_file(string caseName)
    {
        var folder = Path.Combine(GoldenFolder, caseName);
        var input = GoldenInput.Read(Path.Combine(folder, "input.json"));
        var channels = input.Channels ?? Enum.GetValues<ChannelKind>().Select(ChannelSettings.For).ToList();
        var variants = Renderer.RenderAll(input.Message, input.Brand ?? new BrandInput(), input.Campaign, channels);

        var actual = new Dictionary<string, string>();
        var seen = new Dictionary<ChannelKind, int>();
        foreach (var variant in variants)
        {
            seen[variant.Kind] = seen.GetValueOrDefault(variant.Kind) + 1;
            // A case may render one kind twice (threads on and off): the second gets "-2".
            var name = variant.Kind.ToString().ToLowerInvariant() + (seen[variant.Kind] > 1 ? $"-{seen[variant.Kind]}" : "");
            actual[$"{name}.txt"] = Describe(variant);
            if (variant.Html is not null) actual[$"{name}.html"] = variant.Html;
            if (variant.FeedEntry is not null) actual[$"{name}.atom.xml"] = variant.FeedEntry;
            if (variant.JsonPayload is not null) actual[$"{name}.json"] = variant.JsonPayload;
        }

        var update = Environment.GetEnvironmentVariable("PUBLISHER_UPDATE_GOLDEN") == "1";
        var mismatches = new List<string>();
        foreach (var (file, content) in actual)
        {
            var path = Path.Combine(folder, file);
            var normalized = content.Replace("\r\n", "\n").TrimEnd() + "\n";
            if (update)
            {
                File.WriteAllText(path, normalized);
                continue;
            }
            if (!File.Exists(path))
            {
                mismatches.Add($"{file}: no expected file (run with PUBLISHER_UPDATE_GOLDEN=1 to create it)");
                continue;
            }
            var expected = File.ReadAllText(path).Replace("\r\n", "\n");
            if (expected != normalized) mismatches.Add($"{file} differs:\n--- expected\n{expected}\n--- actual\n{normalized}");
        }
        var unexpected = Directory.GetFiles(folder).Select(Path.GetFileName).Where(f => f != "input.json" && !actual.ContainsKey(f!)).ToList();
        mismatches.AddRange(unexpected.Select(f => $"{f}: expected file, but the channel no longer produces it"));
        Assert.True(mismatches.Count == 0, string.Join("\n\n", mismatches));
    }

    private static string Describe(RenderedVariant variant)
    {
        var text = new StringBuilder();
        text.Append("success: ").Append(variant.Success ? "yes" : "no").Append('\n');
        text.Append("count: ").Append(variant.Count.Used).Append(" of ").Append(variant.Count.Limit?.ToString() ?? "no limit").Append(' ').Append(variant.Count.Unit).Append('\n');
        if (variant.Link is not null) text.Append("link: ").Append(variant.Link).Append('\n');
        if (variant.Subject is not null) text.Append("subject: ").Append(variant.Subject).Append('\n');
        if (variant.Preheader is not null) text.Append("preheader: ").Append(variant.Preheader).Append('\n');
        foreach (var d in variant.Diagnostics) text.Append("diagnostic: ").Append(d).Append('\n');
        if (variant.IsThread)
        {
            for (var i = 0; i < variant.Parts.Count; i++)
            {
                var part = variant.Parts[i];
                text.Append($"\n== part {i + 1} ({part.Count.Used} of {part.Count.Limit}) ==\n").Append(part.Text).Append('\n');
                foreach (var f in part.Facets) text.Append($"facet: {f.Kind} bytes {f.ByteStart}..{f.ByteEnd} {f.Value}\n");
            }
        }
        else
        {
            foreach (var f in variant.Facets) text.Append($"facet: {f.Kind} bytes {f.ByteStart}..{f.ByteEnd} {f.Value}\n");
        }
        text.Append("\n== text ==\n").Append(variant.Text).Append('\n');
        return text.ToString();
    }
}

internal sealed record GoldenInput(MessageInput Message, BrandInput? Brand, CampaignInput? Campaign, List<ChannelSettings>? Channels)
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    public static GoldenInput Read(string path) =>
        JsonSerializer.Deserialize<GoldenInput>(File.ReadAllText(path), Options) ?? throw new InvalidOperationException($"{path} is empty.");
}

/// <summary>One renderer for the whole test run: compiling the Razor layouts takes a few seconds.</summary>
internal static class SharedRenderer
{
    /// <summary>"Now" for messages without a publish time, fixed so golden files do not change by the day.</summary>
    public static readonly DateTimeOffset Now = new(2026, 1, 20, 12, 0, 0, TimeSpan.Zero);

    public static VariantRenderer Instance { get; } = new(new TemplateCache(), new LayoutRenderer(), RenderLimits.Default, new FixedTime(Now));

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
