namespace Publisher.StyleGuide.Tests;

public class ExistenceRuleTests
{
    private static ExistenceRule Tokens(params string[] tokens) =>
        new() { Id = "banned", Message = "Don't say {match}.", Severity = Severity.Error, Match = new TextMatcher(tokens, []) };

    private static ExistenceRule Patterns(params string[] patterns) =>
        new() { Id = "banned", Message = "Don't say {match}.", Match = new TextMatcher([], patterns) };

    [Fact]
    public void A_banned_word_is_reported_with_its_exact_span_and_message()
    {
        var result = Lint.Body(Lint.Guide(Tokens("class")), "We teach a class today.");

        var finding = Assert.Single(result.Findings);
        Assert.Equal("banned", finding.RuleId);
        Assert.Equal(Severity.Error, finding.Severity);
        Assert.Equal("body", finding.Field);
        Assert.Equal(11, finding.Start);
        Assert.Equal(5, finding.Length);
        Assert.Equal("class", finding.MatchedText);
        Assert.Equal("Don't say class.", finding.Message);
    }

    [Theory]
    [InlineData("A classic roast.")]
    [InlineData("Our subclass of beans.")]
    [InlineData("Two classes a week.")]
    [InlineData("class_room and class2")]
    public void A_word_inside_a_longer_word_is_not_a_match(string body)
    {
        Assert.Empty(Lint.Body(Lint.Guide(Tokens("class")), body).Findings);
    }

    [Theory]
    [InlineData("Class starts at nine.", "Class")]
    [InlineData("(class) starts", "class")]
    [InlineData("CLASS!", "CLASS")]
    [InlineData("first-class", "class")]
    public void Matches_on_word_boundaries_ignoring_case_by_default(string body, string expected)
    {
        Assert.Equal([expected], Lint.Body(Lint.Guide(Tokens("class")), body).Matched());
    }

    [Fact]
    public void Accents_are_ignored_by_default_in_both_directions()
    {
        Assert.Equal(["Café"], Lint.Body(Lint.Guide(Tokens("cafe")), "Visit our Café soon.").Matched());
        Assert.Equal(["cafe"], Lint.Body(Lint.Guide(Tokens("café")), "Visit our cafe soon.").Matched());
    }

    [Fact]
    public void A_decomposed_accent_is_matched_and_included_in_the_span()
    {
        var body = "Our Cafe\u0301 opens.";
        var finding = Assert.Single(Lint.Body(Lint.Guide(Tokens("café")), body).Findings);
        Assert.Equal(4, finding.Start);
        Assert.Equal(5, finding.Length);
    }

    [Fact]
    public void With_ignoreAccents_false_an_accent_makes_a_different_word()
    {
        var rule = Tokens("résumé") with { IgnoreAccents = false };
        Assert.Empty(Lint.Body(Lint.Guide(rule), "Send your resume.").Findings);
        Assert.Equal(["Résumé"], Lint.Body(Lint.Guide(rule), "Résumé writing tips.").Matched());
    }

    [Fact]
    public void With_ignoreAccents_false_a_decomposed_accent_still_equals_the_precomposed_one()
    {
        var rule = Tokens("résumé") with { IgnoreAccents = false };
        var body = "Your re\u0301sume\u0301 here.";
        var finding = Assert.Single(Lint.Body(Lint.Guide(rule), body).Findings);
        Assert.Equal(5, finding.Start);
        Assert.Equal(8, finding.Length);
    }

    [Fact]
    public void With_ignoreCase_false_case_makes_a_different_word()
    {
        var rule = Tokens("US") with { IgnoreCase = false };
        Assert.Empty(Lint.Body(Lint.Guide(rule), "Join us for coffee.").Findings);
        Assert.Equal(["US"], Lint.Body(Lint.Guide(rule), "Shipping to the US only.").Matched());
    }

    [Fact]
    public void A_match_inside_an_exception_phrase_is_not_reported()
    {
        var rule = Tokens("class") with { Exceptions = ["first class", "World Class Coffee Awards"] };
        Assert.Empty(Lint.Body(Lint.Guide(rule), "Sent by First Class mail.").Findings);
        Assert.Empty(Lint.Body(Lint.Guide(rule), "Winner of the World Class Coffee Awards.").Findings);
        Assert.Equal(["class"], Lint.Body(Lint.Guide(rule), "First Class mail, and a class act.").Matched());
    }

    [Fact]
    public void A_phrase_matches_across_a_line_break_and_repeated_spaces()
    {
        var finding = Assert.Single(Lint.Body(Lint.Guide(Tokens("act now")), "Please act\n   now.").Findings);
        Assert.Equal("act\n   now", finding.MatchedText);
    }

    [Fact]
    public void Straight_and_curly_apostrophes_match_each_other()
    {
        Assert.Equal(["don’t"], Lint.Body(Lint.Guide(Tokens("don't miss out")), "You don’t miss out.").Matched().Select(m => m[..5]).ToArray());
    }

    [Fact]
    public void A_token_starting_with_a_symbol_still_needs_to_end_a_word()
    {
        Assert.Equal(["#ad"], Lint.Body(Lint.Guide(Tokens("#ad")), "Great beans #ad").Matched());
        Assert.Empty(Lint.Body(Lint.Guide(Tokens("#ad")), "Great beans #ads #adventure").Findings);
    }

    [Fact]
    public void Each_occurrence_is_reported()
    {
        Assert.Equal(["cheap", "Cheap"], Lint.Body(Lint.Guide(Tokens("cheap")), "cheap beans. Cheap mugs.").Matched());
    }

    [Fact]
    public void A_pattern_is_a_regular_expression()
    {
        var result = Lint.Body(Lint.Guide(Patterns(@"\d+\s?% off")), "Now 50% off, then 20 % off.");
        Assert.Equal(["50% off", "20 % off"], result.Matched());
    }

    [Fact]
    public void A_pattern_ignores_accents_by_default_and_reports_the_original_span()
    {
        var finding = Assert.Single(Lint.Body(Lint.Guide(Patterns("creme brulee")), "Try our crème brûlée latte.").Findings);
        Assert.Equal("crème brûlée", finding.MatchedText);
    }

    [Fact]
    public void Words_in_other_scripts_match_on_their_own_word_boundaries()
    {
        Assert.Equal(["кофе"], Lint.Body(Lint.Guide(Tokens("кофе")), "Лучший кофе.").Matched());
        Assert.Empty(Lint.Body(Lint.Guide(Tokens("кофе")), "Кофейня открыта.").Findings);
    }

    [Theory]
    [InlineData("☕ 👩‍🔬 → CLASS")]
    [InlineData("☕ 👩‍🔬 → CLASS café")]
    [InlineData("☕ 👩‍🔬\n→ CLASS")]
    [InlineData("☕ 👩‍🔬 →  CLASS")]
    public void Emoji_symbols_and_spacing_do_not_shift_spans(string body)
    {
        var finding = Assert.Single(Lint.Body(Lint.Guide(Tokens("class")), body).Findings);
        Assert.Equal("CLASS", body.Substring(finding.Start, finding.Length));
    }
}
