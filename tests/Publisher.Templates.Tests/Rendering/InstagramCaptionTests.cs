using Publisher.Templates.Channels;
using Publisher.Templates.Diagnostics;

namespace Publisher.Templates.Tests.Rendering;

/// <summary>What Instagram and Threads refuse in a post besides its length, found while writing.</summary>
public class InstagramCaptionTests
{
    [Fact]
    public void Thirty_hashtags_pass_and_thirty_one_are_an_error_that_says_how_many_to_remove()
    {
        var thirty = TestData.RenderWithTemplate("Caption " + string.Join(" ", Enumerable.Range(1, 30).Select(i => $"#tag{i}")), ChannelKind.Instagram);
        Assert.DoesNotContain(thirty.Diagnostics, d => d.Code == "variant.too-many-hashtags");

        var thirtyOne = TestData.RenderWithTemplate("Caption " + string.Join(" ", Enumerable.Range(1, 31).Select(i => $"#tag{i}")), ChannelKind.Instagram);
        var error = Assert.Single(thirtyOne.Diagnostics, d => d.Code == "variant.too-many-hashtags");
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Contains("31 hashtags", error.Message);
        Assert.Contains("remove 1", error.Message);
        Assert.False(thirtyOne.Success);
    }

    [Fact]
    public void More_than_twenty_mentions_are_an_error()
    {
        var twenty = TestData.RenderWithTemplate("Thanks " + string.Join(" ", Enumerable.Range(1, 20).Select(i => $"@friend{i}")), ChannelKind.Instagram);
        Assert.DoesNotContain(twenty.Diagnostics, d => d.Code == "variant.too-many-mentions");

        var many = TestData.RenderWithTemplate("Thanks " + string.Join(" ", Enumerable.Range(1, 22).Select(i => $"@friend{i}")), ChannelKind.Instagram);
        var error = Assert.Single(many.Diagnostics, d => d.Code == "variant.too-many-mentions");
        Assert.Contains("remove 2", error.Message);
    }

    [Fact]
    public void Other_channels_do_not_count_hashtags_against_instagrams_limit()
    {
        var mastodon = TestData.RenderWithTemplate(string.Join(" ", Enumerable.Range(1, 31).Select(i => $"#t{i}")), ChannelKind.LinkedIn);
        Assert.DoesNotContain(mastodon.Diagnostics, d => d.Code == "variant.too-many-hashtags");
    }

    [Fact]
    public void A_threads_post_with_more_than_five_different_links_is_an_error()
    {
        var five = TestData.RenderWithTemplate(string.Join(" ", Enumerable.Range(1, 5).Select(i => $"https://example.com/{i}")) + " https://example.com/1", ChannelKind.Threads);
        Assert.DoesNotContain(five.Diagnostics, d => d.Code == "variant.too-many-links");

        var six = TestData.RenderWithTemplate(string.Join(" ", Enumerable.Range(1, 6).Select(i => $"https://example.com/{i}")), ChannelKind.Threads);
        var error = Assert.Single(six.Diagnostics, d => d.Code == "variant.too-many-links");
        Assert.Contains("6 different links", error.Message);
        Assert.False(six.Success);
    }

    [Fact]
    public void An_instagram_caption_over_2200_characters_cannot_become_a_thread()
    {
        var variant = TestData.RenderWithTemplate(new string('a', 2300), ChannelKind.Instagram);
        var error = Assert.Single(variant.Diagnostics, d => d.Code == "variant.too-long");
        Assert.Contains("2,300 of 2,200", error.Message);
        Assert.Contains("shorten it.", error.Message);
    }
}
