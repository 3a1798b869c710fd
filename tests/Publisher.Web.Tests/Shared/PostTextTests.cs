using Publisher.Web.Pages.Shared;

namespace Publisher.Web.Tests.Shared;

public class PostTextTests
{
    [Fact]
    public void Links_and_hashtags_are_marked_and_every_character_is_kept_in_order()
    {
        const string text = "Autumn Blend is back #coffee #autumn2026\nOrder now: https://northwind.coffee/autumn?utm_source=x#beans and northwind.com too";

        var segments = PostText.Split(text);

        Assert.Equal(text, string.Concat(segments.Select(s => s.Text)));
        Assert.Equal(["#coffee", "#autumn2026"], segments.Where(s => s.Kind == PostText.Kind.Hashtag).Select(s => s.Text));
        // The URL's own fragment is part of the link, not a hashtag; a bare domain is a link too, as the networks link it.
        Assert.Equal(["https://northwind.coffee/autumn?utm_source=x#beans", "northwind.com"],
            segments.Where(s => s.Kind == PostText.Kind.Link).Select(s => s.Text));
    }

    [Theory]
    [InlineData("Price#1 and C#")]
    [InlineData("#2026 only digits")]
    [InlineData("&#39; an entity")]
    public void What_the_networks_do_not_take_for_a_hashtag_stays_plain(string text)
    {
        var segments = PostText.Split(text);

        Assert.All(segments, s => Assert.Equal(PostText.Kind.Text, s.Kind));
        Assert.Equal(text, string.Concat(segments.Select(s => s.Text)));
    }

    [Fact]
    public void Empty_text_has_no_segments() => Assert.Empty(PostText.Split(""));
}
