using System.Text.RegularExpressions;
using Publisher.Templates.Channels;
using Publisher.Templates.Counting;
using Publisher.Templates.Diagnostics;
using Publisher.Templates.Model;
using Publisher.Templates.Rendering;

namespace Publisher.Templates.Tests.Rendering;

public class ThreadSplittingTests
{
    private const string LongStory =
        "Our first shop opened in 1998 on a street nobody walked down. We sold bread, coffee and not much else. " +
        "For three years we barely broke even, and twice we nearly closed.\n\n" +
        "Then a neighbour asked if we could bake for her café. One café became twelve, and the twelve became the wholesale business that pays for everything else today. " +
        "We still bake every loaf in the same ovens, just more of them.\n\n" +
        "This spring we open our fourth shop, and we would love to see you there. Details and opening times are on our site: https://www.example.com/shops/fourth?ref=story";

    private static RenderedVariant Render(ChannelKind kind, bool allowThreads, string body = LongStory) =>
        SharedRenderer.Instance.Render(
            TestData.Message(body, link: null),
            TestData.Brand, TestData.Campaign,
            new ChannelSettings { Kind = kind, AllowThreads = allowThreads, TemplateSource = "{{ message.body_text }}" });

    [Theory]
    [InlineData(ChannelKind.X)]
    [InlineData(ChannelKind.Mastodon)]
    [InlineData(ChannelKind.Bluesky)]
    [InlineData(ChannelKind.Threads)]
    public void Every_part_fits_the_limit_by_the_networks_own_count_with_its_numbering(ChannelKind kind)
    {
        var body = string.Join("\n\n", Enumerable.Repeat(LongStory, 3));
        var variant = Render(kind, allowThreads: true, body);

        Assert.True(variant.Success, string.Join("\n", variant.Diagnostics));
        Assert.True(variant.IsThread);
        var limit = ChannelProfiles.Get(kind).Limit!.Value;
        for (var i = 0; i < variant.Parts.Count; i++)
        {
            var part = variant.Parts[i];
            Assert.EndsWith($" {i + 1}/{variant.Parts.Count}", part.Text);
            Assert.Equal(ChannelCounter.Count(kind, part.Text).Used, part.Count.Used);
            Assert.True(part.Count.Used <= limit, $"part {i + 1} is {part.Count.Used} of {limit}");
        }
        Assert.Contains(variant.Diagnostics, d => d.Code == "variant.thread" && d.Severity == DiagnosticSeverity.Info);
    }

    [Fact]
    public void Parts_break_at_sentence_ends_and_keep_every_word_in_order()
    {
        var variant = Render(ChannelKind.X, allowThreads: true);
        var withoutNumbers = variant.Parts.Select(p => Regex.Replace(p.Text, @" \d+/\d+$", "")).ToList();
        Assert.All(withoutNumbers.SkipLast(1), text => Assert.Matches(@"[.!?]$", text));
        var words = Regex.Split(variant.Text, @"\s+");
        Assert.Equal(words, withoutNumbers.SelectMany(t => Regex.Split(t, @"\s+")));
    }

    [Fact]
    public void A_url_is_never_cut_between_parts()
    {
        var variant = Render(ChannelKind.X, allowThreads: true);
        Assert.Contains(variant.Parts, p => p.Text.Contains("https://www.example.com/shops/fourth?ref=story"));
    }

    [Fact]
    public void A_sentence_longer_than_a_post_is_split_between_words()
    {
        var sentence = string.Join(' ', Enumerable.Range(1, 90).Select(i => $"word{i}")) + ".";
        var variant = Render(ChannelKind.X, allowThreads: true, sentence);
        Assert.True(variant.Success);
        Assert.All(variant.Parts, p => Assert.Matches(@"word\d+\.? \d+/\d+$", p.Text));
        Assert.All(variant.Parts, p => Assert.True(p.Count.Used <= 280));
    }

    [Fact]
    public void Without_threads_an_over_long_post_is_an_error_with_exact_numbers_and_what_to_do()
    {
        var variant = Render(ChannelKind.X, allowThreads: false);
        var used = XWeightedLength.Count(variant.Text);
        var error = Assert.Single(variant.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("variant.too-long", error.Code);
        Assert.Equal($"The X variant is {used} of 280 characters: shorten it or allow a thread.", error.Message);
        Assert.False(variant.Success);
        Assert.False(variant.IsThread);
    }

    [Fact]
    public void A_channel_without_threads_says_only_to_shorten()
    {
        var variant = SharedRenderer.Instance.Render(
            TestData.Message(new string('a', 10) + " " + string.Join(' ', Enumerable.Repeat("long text", 400))), TestData.Brand, TestData.Campaign,
            new ChannelSettings { Kind = ChannelKind.LinkedIn, AllowThreads = true, TemplateSource = "{{ message.body_text }}" });
        var error = Assert.Single(variant.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Matches(@"^The LinkedIn variant is \d,\d{3} of 3,000 characters: shorten it\.$", error.Message);
    }

    [Fact]
    public void The_numbering_widens_when_a_thread_reaches_ten_parts()
    {
        var body = string.Join("\n\n", Enumerable.Repeat(LongStory, 6));
        var variant = Render(ChannelKind.X, allowThreads: true, body);
        Assert.True(variant.Parts.Count >= 10, $"{variant.Parts.Count} parts");
        Assert.EndsWith($" 1/{variant.Parts.Count}", variant.Parts[0].Text);
        Assert.All(variant.Parts, p => Assert.True(p.Count.Used <= 280));
    }

    [Fact]
    public void A_text_needing_more_parts_than_allowed_is_an_error()
    {
        var renderer = TestData.RendererWith(RenderLimits.Default with { MaxThreadParts = 2 });
        var variant = renderer.Render(TestData.Message(LongStory, link: null), TestData.Brand, TestData.Campaign,
            new ChannelSettings { Kind = ChannelKind.X, AllowThreads = true, TemplateSource = "{{ message.body_text }}" });
        var error = Assert.Single(variant.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Contains("does not fit a thread of 2 posts", error.Message);
    }
}
