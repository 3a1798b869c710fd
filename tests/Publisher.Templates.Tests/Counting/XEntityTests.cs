using Publisher.Templates.Counting;

namespace Publisher.Templates.Tests.Counting;

/// <summary>Each rule of twitter-text's entity extraction that Publisher follows, on its own.</summary>
public class XEntityTests
{
    private static List<string> Of(string text) => XEntities.Extract(text).Select(e => $"{e.Kind}:{text[e.Start..e.End]}").ToList();

    [Fact]
    public void Links_hashtags_mentions_and_cashtags_with_their_ranges() =>
        Assert.Equal(["Url:https://example.com/x", "Hashtag:#Launch", "Mention:@northwind", "Cashtag:$NWND"],
            Of("See https://example.com/x #Launch @northwind $NWND"));

    [Theory]
    [InlineData("a#tag")]
    [InlineData("&#38;")]
    [InlineData("#2026")]
    [InlineData("#tag#tag2")]
    [InlineData("#tag://x")]
    public void No_hashtag_glued_to_a_word_or_entity_without_a_letter_or_followed_by_another(string text) =>
        Assert.DoesNotContain(Of(text), e => e.StartsWith("Hashtag"));

    [Theory]
    [InlineData("mail@example.com")]
    [InlineData("@bob@example.com")]
    [InlineData("@élan")]
    public void No_mention_inside_an_address_or_before_an_accent(string text) =>
        Assert.DoesNotContain(Of(text), e => e.StartsWith("Mention"));

    [Theory]
    [InlineData("$TOOLONG")]
    [InlineData("x$ABC")]
    [InlineData("$100")]
    public void No_cashtag_over_six_letters_glued_or_of_digits(string text) =>
        Assert.Empty(Of(text));

    [Theory]
    [InlineData("see \"example.com\" now", "example.com")]
    [InlineData("日本www.brand.co.uk/a/b", "www.brand.co.uk/a/b")]
    [InlineData("example.com:8080/x", "example.com:8080/x")]
    public void URLs_without_protocol_as_twitter_text_finds_them(string text, string url) =>
        Assert.Equal(url, Assert.Single(UrlExtractor.Extract(text)).Url);

    [Fact]
    public void Without_protocol_a_port_or_query_without_a_path_is_not_part_of_the_link()
    {
        Assert.Equal("example.com", Assert.Single(UrlExtractor.Extract("example.com:8080 x")).Url);
        Assert.Equal("example.com", Assert.Single(UrlExtractor.Extract("example.com?q=1 x")).Url);
    }

    [Fact]
    public void Whitespace_is_counted_and_valid_as_twitter_text_counts_it()
    {
        var parsed = XWeightedLength.Parse("   ");
        Assert.Equal(3, parsed.WeightedLength);
        Assert.True(parsed.IsValid);
        Assert.False(XWeightedLength.Parse("").IsValid);
    }
}
