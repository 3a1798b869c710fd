using Publisher.Core.Composition;
using Publisher.StyleGuide;
using Publisher.Templates.Bluesky;
using Publisher.Templates.Channels;
using Publisher.Templates.Model;
using Publisher.Templates.Rendering;

namespace Publisher.Core.Tests.Composition;

/// <summary>Hand edits measured as renderings are, and the style guide reading only the prose of each channel's text.</summary>
public class ChannelTextTests
{
    private const string Link = "https://northwind.com/holiday?ref=launch";
    private static readonly VariantRenderer Renderer = new();

    private static RenderedVariant RenderBluesky() => Renderer.Render(
        new MessageInput { Title = "Holiday Roast", BodyMarkdown = "The Holiday Roast is back.", Link = Link, Hashtags = ["HolidayRoast"] },
        new BrandInput { Name = "Northwind" }, null, new ChannelSettings { Kind = ChannelKind.Bluesky, Utm = UtmSettings.Off });

    [Fact]
    public void A_hand_edited_Bluesky_variant_keeps_its_link_and_tag_facets()
    {
        var rendered = RenderBluesky();
        Assert.Contains("northwind.com/holiday?ref=...", rendered.Text);
        var edit = rendered.Text.Replace("is back", "is back, roasted by hand", StringComparison.Ordinal);

        var measured = ChannelText.MeasureEdit(ChannelKind.Bluesky, allowThreads: false, edit, ChannelText.KnownLinks(rendered));

        Assert.Equal(edit, measured.Text);
        var facets = Assert.Single(measured.Parts).Facets;
        var link = Assert.Single(facets, f => f.Kind == BlueskyFacetKind.Link);
        Assert.Equal(Link, link.Value);
        Assert.Equal("northwind.com/holiday?ref=...", BlueskyFacets.Slice(measured.Text, link));
        Assert.Contains(facets, f => f.Kind == BlueskyFacetKind.Tag && f.Value == "HolidayRoast");
    }

    [Fact]
    public void A_link_pasted_into_a_Bluesky_edit_is_shortened_as_the_app_posts_it()
    {
        var measured = ChannelText.MeasureEdit(ChannelKind.Bluesky, false, "New: https://example.com/a/very/long/path?x=1");
        Assert.Equal("New: example.com/a/very/long/...", measured.Text);
        Assert.Equal("https://example.com/a/very/long/path?x=1", Assert.Single(measured.Parts[0].Facets).Value);
    }

    [Fact]
    public void A_threaded_edit_is_counted_per_part_and_is_no_error()
    {
        var text = string.Join(" ", Enumerable.Repeat("Our roastery opens its doors on Saturday.", 15));
        var measured = ChannelText.MeasureEdit(ChannelKind.Mastodon, allowThreads: true, text);
        Assert.True(measured.Count.IsOverLimit);
        Assert.True(measured.IsThread);
        Assert.All(measured.Parts, p => Assert.False(p.Count.IsOverLimit));
        Assert.Empty(measured.Diagnostics);

        var single = ChannelText.MeasureEdit(ChannelKind.Mastodon, allowThreads: false, text);
        Assert.Contains(single.Diagnostics, d => d.Code == "variant.too-long");
    }

    private static readonly CompiledStyleGuide Guide = CompiledStyleGuide.Compile(new BrandStyleGuide
    {
        Vocabulary = new BrandVocabulary { BrandNames = [new BrandName("Northwind")] },
    });

    private static LintResult Lint(ChannelKind kind, string body, IEnumerable<BlueskyLink>? known = null) => Guide.Lint(new LintInput
    {
        Channel = kind.ToString(),
        Body = body,
        NonProse = ChannelText.NonProse(kind, null, null, body, known),
    });

    [Fact]
    public void The_brand_name_rule_leaves_a_Bluesky_short_link_alone()
    {
        var rendered = RenderBluesky();
        var result = Lint(ChannelKind.Bluesky, rendered.Text, ChannelText.KnownLinks(rendered));
        Assert.DoesNotContain(result.Findings, f => f.RuleId == "vocabulary.brand-names");
        // The old 30-character form, written by hand, is a link too.
        Assert.Empty(Lint(ChannelKind.Bluesky, "Order at northwind.com/holiday?ref=l... today").Findings);
    }

    [Theory]
    [InlineData(ChannelKind.X, "Order at " + Link + " or northwind.com, ask @northwind, #northwind $NWND")]
    [InlineData(ChannelKind.Mastodon, "Order at " + Link + " or ask @northwind@mastodon.social #northwind")]
    [InlineData(ChannelKind.Email, "Order at " + Link + " or write to orders@northwind.com, or see `northwind-cli`.")]
    [InlineData(ChannelKind.LinkedIn, "Tracked: http://localhost:5080/l/northwind and www.northwind.com")]
    public void The_brand_name_rule_leaves_links_addresses_handles_and_tags_alone(ChannelKind kind, string body) =>
        Assert.DoesNotContain(Lint(kind, body).Findings, f => f.RuleId == "vocabulary.brand-names");

    [Fact]
    public void The_brand_name_rule_still_reads_the_prose()
    {
        var finding = Assert.Single(Lint(ChannelKind.Bluesky, "northwind roasts at " + Link).Findings);
        Assert.Equal("northwind", finding.MatchedText);
        Assert.Equal(0, finding.Start);
    }
}
