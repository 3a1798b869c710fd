using System.Text;
using Publisher.Templates.Bluesky;
using Publisher.Templates.Counting;

namespace Publisher.Templates.Tests.Bluesky;

/// <summary>Each rule of RichText.detectFacets and the app's link shortening, on its own.</summary>
public class BlueskyRichTextTests
{
    private static List<(BlueskyFacetKind Kind, string Text, string Value)> Facets(string text)
    {
        var post = BlueskyFacets.Prepare(text);
        return post.Facets.Select(f => (f.Kind, BlueskyFacets.Slice(post.Text, f), f.Value)).ToList();
    }

    [Theory]
    [InlineData("see:https://example.com/x")]
    [InlineData("word🎉https://example.com/x")]
    [InlineData("#taghttps://example.com/x")]
    [InlineData("✨example.com/y")]
    public void A_link_glued_to_a_word_emoji_or_tag_is_not_a_link(string text) =>
        Assert.DoesNotContain(Facets(text), f => f.Kind == BlueskyFacetKind.Link);

    [Theory]
    [InlineData("https://example.com/x", "https://example.com/x")]
    [InlineData("(https://example.com/x)", "https://example.com/x")]
    [InlineData("\nexample.com/x", "https://example.com/x")]
    public void A_link_starts_at_the_start_after_whitespace_or_after_a_parenthesis(string text, string uri) =>
        Assert.Equal(uri, Assert.Single(Facets(text)).Value);

    [Theory]
    [InlineData("Go https://example.com/a_(b)", "https://example.com/a_(b)")]
    [InlineData("Go https://example.com/path.", "https://example.com/path")]
    [InlineData("Go https://example.com/path).", "https://example.com/path")]
    [InlineData("Go https://example.com/path.)", "https://example.com/path.")]
    [InlineData("Go https://example.com/it's”", "https://example.com/it's”")]
    public void A_link_runs_to_whitespace_then_loses_one_trailing_mark_and_an_unmatched_parenthesis(string text, string uri) =>
        Assert.Equal(uri, Assert.Single(Facets(text)).Value);

    [Theory]
    [InlineData("right.한국")]
    [InlineData("example.notatld/x")]
    [InlineData("EXAMPLE.COM")]
    [InlineData("sub-domain.example.com/x")]
    [InlineData("HTTPS://EXAMPLE.COM/X")]
    public void A_domain_must_end_in_a_real_lowercase_TLD_and_a_scheme_must_be_written_http(string text) =>
        Assert.DoesNotContain(Facets(text), f => f.Kind == BlueskyFacetKind.Link);

    [Theory]
    [InlineData("Hi @bob.bsky.social!", "bob.bsky.social")]
    [InlineData("(@alice.example.com)", "alice.example.com")]
    [InlineData("@x.test", "x.test")]
    [InlineData("@bob.bsky.social\u0301 thanks", "bob.bsky.social")]
    [InlineData("@bob.com. Next", "bob.com")]
    public void A_mention_is_a_handle_ending_in_a_real_TLD_up_to_an_ASCII_word_boundary(string text, string handle) =>
        Assert.Equal(handle, Assert.Single(Facets(text), f => f.Kind == BlueskyFacetKind.Mention).Value);

    [Theory]
    [InlineData("Meet @bob.bsky.socialRegister now")]
    [InlineData("Meet @bob.bsky too")]
    [InlineData("Meet @Bob.Bsky.Social too")]
    [InlineData("mail@bob.bsky.social")]
    public void No_mention_without_a_valid_handle(string text) =>
        Assert.DoesNotContain(Facets(text), f => f.Kind == BlueskyFacetKind.Mention);

    [Fact]
    public void A_cashtag_is_a_tag_facet_with_its_dollar_in_capitals()
    {
        var tags = Facets("Buy $twtr and ($GOOG), not $TOOLONG").Where(f => f.Kind == BlueskyFacetKind.Tag).ToList();
        Assert.Equal(["$TWTR", "$GOOG"], tags.Select(t => t.Value));
        Assert.Equal("$twtr", tags[0].Text);
    }

    [Fact]
    public void A_tag_runs_as_RichText_runs_it_even_into_a_URL()
    {
        var tag = Assert.Single(Facets("Go #launchhttps://example.com/x! now"));
        Assert.Equal(BlueskyFacetKind.Tag, tag.Kind);
        Assert.Equal("launchhttps://example.com/x", tag.Value);
    }

    [Theory]
    [InlineData("#2026 #123!")]
    [InlineData("#\uFE0Ftag")]
    [InlineData("a#tag")]
    public void Digits_and_punctuation_alone_a_variation_selector_or_a_glued_sign_make_no_tag(string text) =>
        Assert.Empty(Facets(text));

    [Fact]
    public void The_shortened_post_is_what_is_counted_and_a_prepared_post_stays_as_it_is()
    {
        const string text = "Save at https://northwind.com/holiday?ref=launch today";
        var post = BlueskyFacets.Prepare(text);
        Assert.Equal("Save at northwind.com/holiday?ref=... today", post.Text);
        Assert.Equal(ChannelCounter.Graphemes(post.Text), ChannelCounter.Count(Channels.ChannelKind.Bluesky, text).Used);

        // Prepared again with the links it knows (as after a hand edit), it keeps text, range and address.
        var again = BlueskyFacets.Prepare(post.Text + " ✨", post.Links);
        var link = Assert.Single(again.Facets);
        Assert.Equal("https://northwind.com/holiday?ref=launch", link.Value);
        Assert.Equal("northwind.com/holiday?ref=...", BlueskyFacets.Slice(again.Text, link));
    }

    [Fact]
    public void Facets_after_a_shortened_link_move_with_the_text()
    {
        var post = BlueskyFacets.Prepare("Read https://example.com/a/very/long/path/indeed #café");
        var tag = Assert.Single(post.Facets, f => f.Kind == BlueskyFacetKind.Tag);
        Assert.Equal("#café", BlueskyFacets.Slice(post.Text, tag));
        Assert.Equal(Encoding.UTF8.GetByteCount(post.Text), tag.ByteEnd);
    }

    [Fact]
    public void Graphemes_keep_an_Indic_conjunct_whole() =>
        Assert.Equal(3, ChannelCounter.Graphemes("नमस्ते"));
}
