using System.Text;
using Publisher.Templates.Bluesky;

namespace Publisher.Templates.Tests.Bluesky;

public class BlueskyFacetTests
{
    private static string BytesOf(string text, BlueskyFacet facet) =>
        Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text)[facet.ByteStart..facet.ByteEnd]);

    [Fact]
    public void Offsets_are_utf8_bytes_after_emoji_and_accented_letters()
    {
        const string text = "Café ☕ déjà vu 👩‍👩‍👧 see https://example.com/x #été";
        var facets = BlueskyFacets.Extract(text);

        var link = Assert.Single(facets, f => f.Kind == BlueskyFacetKind.Link);
        // "Café ☕ déjà vu 👩‍👩‍👧 see " is 28 UTF-16 units but 43 UTF-8 bytes.
        Assert.Equal(43, link.ByteStart);
        Assert.Equal("https://example.com/x", BytesOf(text, link));
        Assert.Equal("https://example.com/x", link.Value);

        var tag = Assert.Single(facets, f => f.Kind == BlueskyFacetKind.Tag);
        Assert.Equal("#été", BytesOf(text, tag));
        Assert.Equal("été", tag.Value);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), tag.ByteEnd);
    }

    [Fact]
    public void Mentions_are_handles_with_their_byte_range()
    {
        const string text = "Merci à @marie.bsky.social et @léa.example.com!";
        var mention = Assert.Single(BlueskyFacets.Extract(text), f => f.Kind == BlueskyFacetKind.Mention);
        Assert.Equal("marie.bsky.social", mention.Value);
        Assert.Equal("@marie.bsky.social", BytesOf(text, mention));
        Assert.Equal(9, mention.ByteStart);
        Assert.Equal("app.bsky.richtext.facet#mention", mention.FeatureType);
    }

    [Fact]
    public void Trailing_punctuation_is_not_part_of_a_tag_and_numbers_alone_are_not_tags()
    {
        var facets = BlueskyFacets.Extract("Join #BlueskyLaunch, not #2026 today.");
        var tag = Assert.Single(facets);
        Assert.Equal("BlueskyLaunch", tag.Value);
        Assert.Equal(5, tag.ByteStart);
        Assert.Equal(19, tag.ByteEnd);
    }

    [Fact]
    public void A_link_written_without_scheme_points_to_https()
    {
        var link = Assert.Single(BlueskyFacets.Extract("read example.org/guide now"));
        Assert.Equal("https://example.org/guide", link.Value);
    }

    [Fact]
    public void Long_links_are_shown_as_the_app_shows_them_while_the_facet_keeps_the_full_address()
    {
        const string url = "https://www.example.com/blog/delivery-routes?utm_source=bluesky&utm_medium=social";
        var post = BlueskyFacets.Prepare($"Read ✨ {url} today");
        // Host, then the first 13 characters of path, query and fragment, and "...".
        Assert.Equal("Read ✨ www.example.com/blog/deliver... today", post.Text);

        var facet = Assert.Single(post.Facets);
        Assert.Equal(url, facet.Value);
        Assert.Equal("www.example.com/blog/deliver...", BytesOf(post.Text, facet));
        Assert.Equal(Encoding.UTF8.GetByteCount("Read ✨ "), facet.ByteStart);
    }

    [Theory]
    [InlineData("https://example.com/a", "example.com/a")]
    [InlineData("http://example.com/", "example.com")]
    [InlineData("https://Example.COM:443/x", "example.com/x")]
    [InlineData("https://example.com:8080/p", "example.com:8080/p")]
    [InlineData("https://bücher.de/straße", "xn--bcher-kva.de/stra%C3%9Fe")]
    [InlineData("https://example.com/12345678901234", "example.com/12345678901234")]
    [InlineData("https://example.com/123456789012345", "example.com/123456789012...")]
    [InlineData("example.com/a-long-path-without-scheme", "example.com/a-long-path-without-scheme")]
    public void A_link_is_shown_as_its_host_and_at_most_fifteen_characters_more(string link, string shown) =>
        Assert.Equal(shown, BlueskyLinkText.ShortForm(link));
}
