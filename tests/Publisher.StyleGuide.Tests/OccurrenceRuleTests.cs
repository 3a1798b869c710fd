namespace Publisher.StyleGuide.Tests;

public class OccurrenceRuleTests
{
    private static OccurrenceRule Count(OccurrenceToken token, int? max = null, int? min = null) =>
        new() { Id = "limit", Message = "{count} of at most {limit}", Token = token, Max = max, Min = min };

    [Fact]
    public void Too_many_hashtags_points_at_the_first_one_over_the_limit()
    {
        var body = "New roast #coffee #portland #beans";
        var finding = Assert.Single(Lint.Body(Lint.Guide(Count(OccurrenceToken.Hashtag, max: 2)), body).Findings);

        Assert.Equal("#beans", finding.MatchedText);
        Assert.Equal(body.IndexOf("#beans", StringComparison.Ordinal), finding.Start);
        Assert.Equal("3 of at most 2", finding.Message);
    }

    [Fact]
    public void Up_to_the_limit_is_fine()
    {
        Assert.Empty(Lint.Body(Lint.Guide(Count(OccurrenceToken.Hashtag, max: 2)), "#coffee #portland").Findings);
    }

    [Theory]
    [InlineData("Issue #1 and #2 and #3")]
    [InlineData("Written in C# and F# and Q#")]
    [InlineData("It&#39;s here, it&#39;s now, it&#39;s good")]
    public void Things_that_look_like_hashtags_but_are_not_are_not_counted(string body)
    {
        Assert.Empty(Lint.Body(Lint.Guide(Count(OccurrenceToken.Hashtag, max: 0)), body).Findings);
    }

    [Fact]
    public void Hashtags_in_other_scripts_count()
    {
        Assert.Single(Lint.Body(Lint.Guide(Count(OccurrenceToken.Hashtag, max: 1)), "#café #кофе").Findings);
    }

    [Fact]
    public void Mentions_include_fediverse_and_bluesky_handles_but_not_email_addresses()
    {
        var rule = Count(OccurrenceToken.Mention, max: 2);
        var body = "Thanks @ana, @bo@mastodon.social and @cy.bsky.social! Mail hello@northwind.example.";
        var finding = Assert.Single(Lint.Body(Lint.Guide(rule), body).Findings);
        Assert.Equal("@cy.bsky.social", finding.MatchedText);
        Assert.Equal("3 of at most 2", finding.Message);
    }

    [Fact]
    public void Links_are_counted_without_trailing_punctuation()
    {
        var body = "See https://northwind.example/a, and www.northwind.example/b.";
        var finding = Assert.Single(Lint.Body(Lint.Guide(Count(OccurrenceToken.Link, max: 1)), body).Findings);
        Assert.Equal("www.northwind.example/b", finding.MatchedText);
    }

    [Fact]
    public void Each_emoji_counts_once_including_skin_tones_flags_zwj_sequences_and_keycaps()
    {
        var body = "Morning ☕️ 👍🏽 🇺🇸 👩‍🔬 1️⃣ done";
        var finding = Assert.Single(Lint.Body(Lint.Guide(Count(OccurrenceToken.Emoji, max: 4)), body).Findings);
        Assert.Equal("5 of at most 4", finding.Message);
        Assert.Equal("1️⃣", finding.MatchedText);
    }

    [Fact]
    public void Plain_symbols_and_accented_letters_are_not_emoji()
    {
        Assert.Empty(Lint.Body(Lint.Guide(Count(OccurrenceToken.Emoji, max: 0)), "Café © 2026 – 50% off → now").Findings);
    }

    [Fact]
    public void Every_exclamation_mark_counts()
    {
        var finding = Assert.Single(Lint.Body(Lint.Guide(Count(OccurrenceToken.Exclamation, max: 1)), "Wow!! Fresh!").Findings);
        Assert.Equal(4, finding.Start);
        Assert.Equal("3 of at most 1", finding.Message);
    }

    [Fact]
    public void Too_few_is_reported_at_the_start_of_the_field_with_an_empty_span()
    {
        var rule = Count(OccurrenceToken.Hashtag, min: 1) with { Message = "Add a {missing} ({count} of {limit})." };
        var finding = Assert.Single(Lint.Body(Lint.Guide(rule), "No tags here").Findings);
        Assert.Equal(0, finding.Start);
        Assert.Equal(0, finding.Length);
        Assert.Equal("Add a hashtag (0 of 1).", finding.Message);
        Assert.Empty(Lint.Body(Lint.Guide(rule), "One tag #here").Findings);
    }

    [Fact]
    public void An_exception_is_not_counted()
    {
        var rule = Count(OccurrenceToken.Hashtag, max: 1) with { Exceptions = ["#NorthwindCoffee"] };
        Assert.Empty(Lint.Body(Lint.Guide(rule), "#NorthwindCoffee #coffee").Findings);
        Assert.Single(Lint.Body(Lint.Guide(rule), "#NorthwindCoffee #coffee #beans").Findings);
    }

    [Fact]
    public void Custom_tokens_and_patterns_can_be_counted()
    {
        var rule = new OccurrenceRule { Id = "free", Message = "{count}", Max = 1, Match = new TextMatcher(["free"], [@"\bgratis\b"]) };
        Assert.Equal("3", Assert.Single(Lint.Body(Lint.Guide(rule), "Free beans, gratis mug, free ship. Freedom!").Findings).Message);
    }

    [Fact]
    public void Each_field_is_counted_on_its_own()
    {
        var input = new LintInput { Channel = "Blog", Title = "#one #two", Body = "#three #four" };
        Assert.Empty(Lint.Run(Lint.Guide(Count(OccurrenceToken.Hashtag, max: 2)), input).Findings);
    }
}
