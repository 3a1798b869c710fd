using Publisher.Templates.Channels;
using Publisher.Templates.Counting;
using Publisher.Templates.Model;
using Publisher.Templates.Rendering;

namespace Publisher.Templates.Tests.Rendering;

/// <summary>
/// The shipped short-post templates never drop what fits: every key fact and every hashtag (up to the channel's
/// number) is in the variant, with or without a summary; when the key facts alone are too long, the variant says it
/// is too long (so the editor offers a thread) instead of quietly cutting a fact.
/// </summary>
public class ShippedTemplateContentTests
{
    private static readonly VariantRenderer Renderer = SharedRenderer.Instance;

    private static List<string> Missing(string text, IReadOnlyList<string> facts) =>
        facts.Where(f => !text.Contains(f.Trim().TrimEnd('.'), StringComparison.OrdinalIgnoreCase)).ToList();

    private static GoldenInput Input(string golden) =>
        GoldenInput.Read(Path.Combine(ConformanceFiles.RepoRoot, "tests", "Publisher.Templates.Tests", "Golden", golden, "input.json"));

    [Theory]
    [InlineData("no-summary-key-facts", ChannelKind.X)]
    [InlineData("no-summary-key-facts", ChannelKind.Bluesky)]
    [InlineData("product-launch", ChannelKind.X)]
    [InlineData("product-launch", ChannelKind.Bluesky)]
    public void Key_facts_and_hashtags_that_fit_stay_in_the_post_without_a_thread(string golden, ChannelKind kind)
    {
        var input = Input(golden);
        var variant = Renderer.Render(input.Message, input.Brand ?? new BrandInput(), input.Campaign, new ChannelSettings { Kind = kind, AllowThreads = false });

        Assert.True(variant.Success, string.Join("; ", variant.Diagnostics.Select(d => d.Message)));
        Assert.False(variant.IsThread);
        Assert.Empty(Missing(variant.Text, input.Message.KeyFacts));
        var tags = XEntities.Hashtags(variant.Text).Select(t => t.Value).ToList();
        foreach (var tag in input.Message.Hashtags.Select(t => t.TrimStart('#')).Take(ChannelProfiles.Get(kind).MaxHashtags))
            Assert.Contains(tag, tags);
        Assert.DoesNotContain(variant.Diagnostics, d => d.Code == "variant.left-out");
    }

    [Fact]
    public void Without_a_summary_the_price_in_a_later_paragraph_is_still_in_the_X_post()
    {
        var input = Input("no-summary-key-facts");
        Assert.Null(input.Message.Summary);
        var variant = Renderer.Render(input.Message, input.Brand ?? new BrandInput(), input.Campaign, new ChannelSettings { Kind = ChannelKind.X, AllowThreads = false });
        Assert.Contains("€14.50", variant.Text);
        Assert.Contains("#NorthwindCoffee", variant.Text);
    }

    [Theory]
    [InlineData(ChannelKind.X)]
    [InlineData(ChannelKind.Bluesky)]
    public void Key_facts_too_long_for_one_post_make_a_length_error_not_a_cut(ChannelKind kind)
    {
        var input = Input("long-key-facts");
        var single = Renderer.Render(input.Message, input.Brand ?? new BrandInput(), input.Campaign, new ChannelSettings { Kind = kind, AllowThreads = false });
        Assert.Contains(single.Diagnostics, d => d.Code == "variant.too-long" && d.Message.Contains("allow a thread"));
        Assert.Empty(Missing(single.Text, input.Message.KeyFacts));

        var thread = Renderer.Render(input.Message, input.Brand ?? new BrandInput(), input.Campaign, new ChannelSettings { Kind = kind, AllowThreads = true });
        Assert.True(thread.Success);
        Assert.True(thread.IsThread);
        Assert.All(thread.Parts, p => Assert.False(p.Count.IsOverLimit));
        Assert.Empty(Missing(thread.Text, input.Message.KeyFacts));
    }

    [Fact]
    public void A_post_that_leaves_out_part_of_the_message_says_what()
    {
        var message = new MessageInput
        {
            Title = "Short",
            BodyMarkdown = "A short post.",
            Summary = "A short post.",
            Link = "https://example.com/x",
            Hashtags = ["One", "Two"],
        };
        var custom = new ChannelSettings { Kind = ChannelKind.X, TemplateSource = "{{ message.summary }} {{ link }}" };
        var variant = Renderer.Render(message, new BrandInput(), null, custom);
        var leftOut = Assert.Single(variant.Diagnostics, d => d.Code == "variant.left-out");
        Assert.Contains("#One", leftOut.Message);
        Assert.Contains("#Two", leftOut.Message);
    }
}
