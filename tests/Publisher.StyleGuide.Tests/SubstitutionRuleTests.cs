namespace Publisher.StyleGuide.Tests;

public class SubstitutionRuleTests
{
    private static SubstitutionRule Swap(params (string From, string To)[] swaps) => new()
    {
        Id = "plain-words",
        Message = "Write \"{fix}\", not \"{match}\".",
        Swap = swaps.Select(s => new Substitution(s.From, s.To)).ToList(),
    };

    [Fact]
    public void A_swap_is_reported_with_a_fix_that_applies_in_one_click()
    {
        var body = "Please utilize the grinder.";
        var finding = Assert.Single(Lint.Body(Lint.Guide(Swap(("utilize", "use"))), body).Findings);

        Assert.Equal("utilize", finding.MatchedText);
        Assert.Equal("use", finding.Fix);
        Assert.Equal("Write \"use\", not \"utilize\".", finding.Message);
        Assert.True(StyleGuideFixes.TryApply(body, finding, out var fixedText));
        Assert.Equal("Please use the grinder.", fixedText);
    }

    [Theory]
    [InlineData("Signup today", "Sign up")]
    [InlineData("SIGNUP TODAY", "SIGN UP")]
    [InlineData("please signup", "sign up")]
    public void The_fix_keeps_the_capitalisation_of_what_it_replaces(string body, string expectedFix)
    {
        var finding = Assert.Single(Lint.Body(Lint.Guide(Swap(("signup", "sign up"))), body).Findings);
        Assert.Equal(expectedFix, finding.Fix);
    }

    [Fact]
    public void A_replacement_with_its_own_capitals_is_kept_as_written()
    {
        var finding = Assert.Single(Lint.Body(Lint.Guide(Swap(("aero press", "AeroPress"))), "aero press brewing").Findings);
        Assert.Equal("AeroPress", finding.Fix);
    }

    [Theory]
    [InlineData("Three signups today.")]
    [InlineData("The presignup page.")]
    [InlineData("Sign up today.")]
    public void Near_misses_are_not_reported(string body)
    {
        Assert.Empty(Lint.Body(Lint.Guide(Swap(("signup", "sign up"))), body).Findings);
    }

    [Fact]
    public void The_longest_swap_wins_where_two_overlap()
    {
        var rule = Swap(("in order", "arranged"), ("in order to", "to"));
        var finding = Assert.Single(Lint.Body(Lint.Guide(rule), "We grind in order to brew.").Findings);
        Assert.Equal("in order to", finding.MatchedText);
        Assert.Equal("to", finding.Fix);
    }

    [Fact]
    public void A_match_inside_an_exception_is_not_reported()
    {
        var rule = Swap(("utilize", "use")) with { Exceptions = ["Utilize Labs"] };
        Assert.Empty(Lint.Body(Lint.Guide(rule), "Made with Utilize Labs.").Findings);
    }

    [Fact]
    public void Accents_follow_the_rule_setting()
    {
        var rule = Swap(("expresso", "espresso"));
        Assert.Single(Lint.Body(Lint.Guide(rule), "An éxpresso please").Findings);
        Assert.Empty(Lint.Body(Lint.Guide(rule with { IgnoreAccents = false }), "An éxpresso please").Findings);
    }

    [Fact]
    public void Applying_every_fix_at_once_fixes_each_span()
    {
        var body = "Utilize it, then utilize it again in order to learn.";
        var rule = Swap(("utilize", "use"), ("in order to", "to"));
        var result = Lint.Body(Lint.Guide(rule), body);

        Assert.Equal(3, result.Findings.Count);
        Assert.Equal("Use it, then use it again to learn.", StyleGuideFixes.ApplyAll(body, "body", result.Findings));
    }
}
