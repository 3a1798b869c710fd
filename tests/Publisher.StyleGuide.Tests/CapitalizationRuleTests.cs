namespace Publisher.StyleGuide.Tests;

public class CapitalizationRuleTests
{
    private static CapitalizationRule Terms(params string[] terms) =>
        new() { Id = "names", Message = "Write {fix}, not {match}.", Terms = terms };

    [Theory]
    [InlineData("Brew it in an aeropress.", "aeropress")]
    [InlineData("Brew it in an Aeropress.", "Aeropress")]
    [InlineData("Brew it in an AEROPRESS.", "AEROPRESS")]
    public void A_term_written_with_other_capitals_is_reported_with_the_exact_form_as_fix(string body, string matched)
    {
        var finding = Assert.Single(Lint.Body(Lint.Guide(Terms("AeroPress")), body).Findings);
        Assert.Equal(matched, finding.MatchedText);
        Assert.Equal("AeroPress", finding.Fix);
        Assert.True(StyleGuideFixes.TryApply(body, finding, out var fixedText));
        Assert.Contains("AeroPress.", fixedText);
    }

    [Theory]
    [InlineData("Brew it in an AeroPress.")]
    [InlineData("Our AeroPress's plunger.")]
    [InlineData("An aeropressed puck.")]
    public void The_exact_form_and_near_misses_are_not_reported(string body)
    {
        Assert.Empty(Lint.Body(Lint.Guide(Terms("AeroPress")), body).Findings);
    }

    [Fact]
    public void A_multi_word_term_broken_across_lines_is_still_written_correctly()
    {
        Assert.Empty(Lint.Body(Lint.Guide(Terms("Rainforest Alliance")), "Certified by the Rainforest\nAlliance.").Findings);
        Assert.Single(Lint.Body(Lint.Guide(Terms("Rainforest Alliance")), "Certified by the rainforest alliance.").Findings);
    }

    [Fact]
    public void Missing_accents_are_reported_unless_the_rule_says_accents_matter()
    {
        var finding = Assert.Single(Lint.Body(Lint.Guide(Terms("Café Olé")), "Try the Cafe Ole blend.").Findings);
        Assert.Equal("Café Olé", finding.Fix);

        // With accents significant, "Cafe Ole" is a different phrase and not this term at all.
        Assert.Empty(Lint.Body(Lint.Guide(Terms("Café Olé") with { IgnoreAccents = false }), "Try the Cafe Ole blend.").Findings);
    }

    [Fact]
    public void A_match_inside_an_exception_is_not_reported()
    {
        var rule = Terms("Chemex") with { Exceptions = ["chemex-filters.example"] };
        Assert.Empty(Lint.Body(Lint.Guide(rule), "Filters from chemex-filters.example").Findings);
        Assert.Single(Lint.Body(Lint.Guide(rule), "Brew in a chemex").Findings);
    }
}
