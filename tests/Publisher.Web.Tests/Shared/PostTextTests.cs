using Publisher.Core.Composition;
using Publisher.Templates.Channels;
using Publisher.Templates.Counting;
using Publisher.Web.Pages.Shared;

namespace Publisher.Web.Tests.Shared;

public class PostTextTests
{
    private static IReadOnlyList<PostText.Segment> Split(string text, ChannelKind kind = ChannelKind.X) =>
        PostText.Split(text, ChannelText.Entities(kind, [text])[0]);

    [Fact]
    public void Links_and_hashtags_are_marked_and_every_character_is_kept_in_order()
    {
        const string text = "Autumn Blend is back #coffee #autumn2026\nOrder now: https://northwind.coffee/autumn?utm_source=x#beans and northwind.com too";

        var segments = Split(text);

        Assert.Equal(text, string.Concat(segments.Select(s => s.Text)));
        Assert.Equal(["#coffee", "#autumn2026"], segments.Where(s => s.Kind == PostEntityKind.Hashtag).Select(s => s.Text));
        // The URL's own fragment is part of the link, not a hashtag; a bare domain is a link too, as X links it.
        Assert.Equal(["https://northwind.coffee/autumn?utm_source=x#beans", "northwind.com"],
            segments.Where(s => s.Kind == PostEntityKind.Link).Select(s => s.Text));
    }

    [Theory]
    [InlineData("Price#1 and C#")]
    [InlineData("#2026 only digits")]
    [InlineData("&#39; an entity")]
    public void What_the_networks_do_not_take_for_a_hashtag_stays_plain(string text)
    {
        var segments = Split(text);

        Assert.All(segments, s => Assert.Null(s.Kind));
        Assert.Equal(text, string.Concat(segments.Select(s => s.Text)));
    }

    [Fact]
    public void Each_network_colours_what_it_links()
    {
        const string text = "see:https://example.com/x and @bob.bsky.social";
        // X links the URL glued after a colon and finds no mention of a handle with dots; Bluesky the other way round.
        Assert.Equal(["https://example.com/x"], Split(text).Where(s => s.Kind == PostEntityKind.Link).Select(s => s.Text));
        Assert.DoesNotContain(Split(text, ChannelKind.Bluesky), s => s.Kind == PostEntityKind.Link);
        Assert.Equal(["@bob.bsky.social"], Split(text, ChannelKind.Bluesky).Where(s => s.Kind == PostEntityKind.Mention).Select(s => s.Text));
    }

    [Fact]
    public void Empty_text_has_no_segments() => Assert.Empty(Split(""));
}
