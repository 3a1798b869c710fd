namespace Publisher.StyleGuide.Tests;

public class KeyFactsRuleTests
{
    private static readonly KeyFactsRule Facts = new() { Id = "facts", Message = "Missing: {missing}", Severity = Severity.Error };

    private static LintResult Check(string body, params string[] facts) =>
        Lint.Run(Lint.Guide(Facts), new LintInput { Channel = "LinkedIn", Body = body, KeyFacts = facts });

    [Fact]
    public void Every_fact_present_passes()
    {
        Assert.Empty(Check("Guji is back on 12 March at $14 a bag.", "12 March", "$14", "Guji").Findings);
    }

    [Fact]
    public void Each_missing_fact_is_its_own_finding_with_a_stable_key()
    {
        var result = Check("Guji is back soon.", "12 March", "$14", "Guji");
        Assert.Equal(["Missing: 12 March", "Missing: $14"], result.Findings.Select(f => f.Message).ToArray());
        Assert.Equal("facts|body|missing:12 March", result.Findings[0].Key);
        Assert.All(result.Findings, f => Assert.Equal(Severity.Error, f.Severity));
    }

    [Theory]
    [InlineData("Back on 12  MARCH.")]
    [InlineData("Back on 12\nmarch.")]
    public void Case_and_spacing_do_not_matter(string body)
    {
        Assert.Empty(Check(body, "12 March").Findings);
    }

    [Theory]
    [InlineData("Only $140 a bag.", "$14")]
    [InlineData("Back on 12 Marchmont Street.", "12 March")]
    [InlineData("Back on 112 March.", "12 March")]
    public void A_fact_inside_a_longer_number_or_word_is_not_present(string body, string fact)
    {
        Assert.Single(Check(body, fact).Findings);
    }

    [Fact]
    public void Accents_follow_the_rule_setting()
    {
        Assert.Empty(Check("Try the Cafe Ole blend.", "Café Olé").Findings);
        var strict = Lint.Guide(Facts with { IgnoreAccents = false });
        Assert.Single(Lint.Run(strict, new LintInput { Channel = "X", Body = "Try the Cafe Ole blend.", KeyFacts = ["Café Olé"] }).Findings);
    }

    [Fact]
    public void Facts_may_be_spread_over_the_checked_fields()
    {
        var input = new LintInput { Channel = "Email", Subject = "Guji is back", Body = "On 12 March.", KeyFacts = ["Guji", "12 March"] };
        Assert.Empty(Lint.Run(Lint.Guide(Facts), input).Findings);
    }

    [Fact]
    public void Blank_facts_are_ignored()
    {
        Assert.Empty(Check("Anything.", "", "  ").Findings);
    }

    [Fact]
    public void Trailing_punctuation_on_a_marked_fact_is_not_required()
    {
        Assert.Empty(Check("Back on 12 March, at $14.", "12 March.", "$14,").Findings);
    }
}
