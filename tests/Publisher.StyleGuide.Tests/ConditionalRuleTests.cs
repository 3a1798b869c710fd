namespace Publisher.StyleGuide.Tests;

public class ConditionalRuleTests
{
    private static readonly ConditionalRule AdNeedsDisclosure = new()
    {
        Id = "ad-disclosure",
        Message = "{match} needs a disclosure such as \"{missing}\".",
        Severity = Severity.Error,
        If = new RuleCondition(new TextMatcher(["#ad"], [])),
        Then = new TextMatcher(["paid partnership", "sponsored by"], []),
    };

    private static readonly ConditionalRule SponsoredNeedsAd = new()
    {
        Id = "sponsored-ad",
        Message = "Sponsored: add {missing}.",
        Severity = Severity.Error,
        If = new RuleCondition(TextMatcher.None, Sponsored: true),
        Then = new TextMatcher(["#ad"], []),
    };

    [Fact]
    public void A_trigger_without_its_consequence_is_reported_on_the_trigger()
    {
        var finding = Assert.Single(Lint.Body(Lint.Guide(AdNeedsDisclosure), "Loving these beans #ad").Findings);
        Assert.Equal("#ad", finding.MatchedText);
        Assert.Equal(19, finding.Start);
        Assert.Equal("#ad needs a disclosure such as \"paid partnership\".", finding.Message);
    }

    [Theory]
    [InlineData("Paid partnership with Acme. Loving these beans #ad")]
    [InlineData("Loving these beans #ad (sponsored by Acme)")]
    public void The_consequence_anywhere_satisfies_the_rule(string body)
    {
        Assert.Empty(Lint.Body(Lint.Guide(AdNeedsDisclosure), body).Findings);
    }

    [Theory]
    [InlineData("Loving these beans #ads")]
    [InlineData("Loving these beans, no ad here")]
    public void No_trigger_no_finding(string body)
    {
        Assert.Empty(Lint.Body(Lint.Guide(AdNeedsDisclosure), body).Findings);
    }

    [Fact]
    public void The_consequence_may_be_in_another_checked_field()
    {
        var input = new LintInput { Channel = "Blog", Title = "A paid partnership with Acme", Body = "Great beans #ad" };
        Assert.Empty(Lint.Run(Lint.Guide(AdNeedsDisclosure), input).Findings);
    }

    [Fact]
    public void A_sponsored_message_must_carry_the_disclosure()
    {
        var guide = Lint.Guide(SponsoredNeedsAd);
        var finding = Assert.Single(Lint.Run(guide, new LintInput { Channel = "X", Body = "Great beans", Sponsored = true }).Findings);
        Assert.Equal("Sponsored: add #ad.", finding.Message);
        Assert.Equal(0, finding.Length);
        Assert.Equal("sponsored-ad|body|missing:#ad", finding.Key);

        Assert.Empty(Lint.Run(guide, new LintInput { Channel = "X", Body = "Great beans #ad", Sponsored = true }).Findings);
        Assert.Empty(Lint.Run(guide, new LintInput { Channel = "X", Body = "Great beans", Sponsored = false }).Findings);
    }

    [Fact]
    public void A_trigger_inside_an_exception_does_not_trigger()
    {
        var rule = AdNeedsDisclosure with { Exceptions = ["#ad #free"] };
        Assert.Empty(Lint.Body(Lint.Guide(rule), "Our house style: #ad #free").Findings);
    }

    [Fact]
    public void Patterns_can_trigger_and_satisfy()
    {
        var rule = new ConditionalRule
        {
            Id = "price-needs-currency-note",
            Message = "Prices need \"{missing}\".",
            If = new RuleCondition(new TextMatcher([], [@"\$\d+"])),
            Then = new TextMatcher([], [@"\bUSD\b|US dollars"]),
        };
        Assert.Single(Lint.Body(Lint.Guide(rule), "Now $14.").Findings);
        Assert.Empty(Lint.Body(Lint.Guide(rule), "Now $14 (USD).").Findings);
    }
}
