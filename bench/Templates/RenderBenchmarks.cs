using BenchmarkDotNet.Attributes;
using Publisher.Templates.Channels;
using Publisher.Templates.Counting;
using Publisher.Templates.Model;
using Publisher.Templates.Rendering;

namespace Publisher.Bench.Templates;

/// <summary>
/// Rendering one message into all eight channel variants (default templates, parsed-template cache
/// warm, Razor layouts compiled), and X's weighted length on a typical post.
/// </summary>
[MemoryDiagnoser]
public class RenderBenchmarks
{
    private readonly VariantRenderer _renderer = new();
    private readonly ChannelSettings[] _channels = Enum.GetValues<ChannelKind>()
        .Select(kind => new ChannelSettings { Kind = kind, AllowThreads = true })
        .ToArray();

    private readonly MessageInput _message = new()
    {
        Id = "bench-1",
        Title = "Northwind Planner 3.0 is here",
        BodyMarkdown =
            "Planning a team's week should take minutes, not an afternoon. **Northwind Planner 3.0** brings shared calendars, " +
            "drag-and-drop scheduling and a new weekly digest.\n\nTeams in our beta cut their planning time by 40%. You can upgrade " +
            "today from the settings page, and your existing plans move over on their own.\n\nWhat's new:\n\n- Shared calendars for every team\n" +
            "- Drag-and-drop scheduling\n- A weekly digest in your inbox every Monday\n\nRead the [release notes](https://northwind.example.com/releases/3-0) for the full list.",
        Summary = "Northwind Planner 3.0 brings shared calendars, drag-and-drop scheduling and a weekly digest. Beta teams cut planning time by 40%.",
        Link = "https://northwind.example.com/planner?ref=launch#whats-new",
        CallToAction = "See what's new",
        Hashtags = ["Productivity", "TeamPlanning", "Launch"],
        KeyFacts = ["Available today for every plan", "Beta teams cut planning time by 40%"],
        Author = "Dana Whitfield",
        PublishAt = new DateTimeOffset(2026, 3, 10, 14, 0, 0, TimeSpan.Zero),
    };

    private readonly BrandInput _brand = new()
    {
        Name = "Northwind",
        WebsiteUrl = "https://northwind.example.com",
        BlogUrl = "https://northwind.example.com/blog",
        FooterText = "You get this email because you signed up for Northwind product news.",
    };

    private readonly CampaignInput _campaign = new("Planner 3.0 launch", "planner-3-launch");

    private const string Post =
        "Northwind Planner 3.0 brings shared calendars, drag-and-drop scheduling and a weekly digest 🎉 Beta teams cut planning time by 40%.\n\n" +
        "See what's new: https://northwind.example.com/planner?ref=launch&utm_source=x&utm_medium=social #Productivity #TeamPlanning";

    [GlobalSetup]
    public void Setup()
    {
        _renderer.WarmUp();
        var variants = _renderer.RenderAll(_message, _brand, _campaign, _channels);
        var failed = variants.Where(v => !v.Success).ToList();
        if (failed.Count > 0)
            throw new InvalidOperationException("Benchmark message does not render cleanly: " + string.Join("; ", failed.SelectMany(v => v.Diagnostics)));
    }

    [Benchmark(Description = "Render one message into all 8 variants")]
    public IReadOnlyList<RenderedVariant> RenderAllVariants() => _renderer.RenderAll(_message, _brand, _campaign, _channels);

    [Benchmark(Description = "X weighted length of a 250-character post")]
    public int XWeightedCount() => XWeightedLength.Count(Post);
}
