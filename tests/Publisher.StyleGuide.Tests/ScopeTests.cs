namespace Publisher.StyleGuide.Tests;

public class ScopeTests
{
    private static ExistenceRule Banned(RuleScope scope) =>
        new() { Id = "no-free", Message = "No {match}", Match = new TextMatcher(["free"], [@"\bgratis\b"]), Scope = scope };

    [Fact]
    public void A_rule_scoped_to_channels_applies_only_there_ignoring_case()
    {
        var guide = Lint.Guide(Banned(new RuleScope(["X", "Mastodon"], [])));
        Assert.Single(Lint.Body(guide, "free beans", channel: "X").Findings);
        Assert.Single(Lint.Body(guide, "free beans", channel: "mastodon").Findings);
        Assert.Empty(Lint.Body(guide, "free beans", channel: "LinkedIn").Findings);
    }

    [Fact]
    public void A_rule_scoped_to_fields_checks_only_those_fields()
    {
        var guide = Lint.Guide(Banned(new RuleScope([], ["subject"])));
        var input = new LintInput { Channel = "Email", Subject = "Gratis mug inside", Body = "free beans" };
        var finding = Assert.Single(Lint.Run(guide, input).Findings);
        Assert.Equal("subject", finding.Field);
        Assert.Equal("Gratis", finding.MatchedText);
    }

    [Fact]
    public void Other_fields_are_linted_under_their_own_names()
    {
        var guide = Lint.Guide(Banned(new RuleScope([], ["summary"])));
        var input = new LintInput { Channel = "Blog", Body = "free", OtherFields = new Dictionary<string, string> { ["Summary"] = "Free stuff" } };
        Assert.Equal("summary", Assert.Single(Lint.Run(guide, input).Findings).Field);
    }

    [Fact]
    public void An_absence_rule_whose_fields_the_channel_lacks_does_not_apply()
    {
        var rule = new RequiredRule { Id = "cta", Message = "Add {missing}", Element = RequiredElement.CallToAction, Scope = new RuleScope([], ["subject"]) };
        var input = new LintInput { Channel = "X", Body = "Hello", CallToAction = "Order now" };
        Assert.Empty(Lint.Run(Lint.Guide(rule), input).Findings);
    }

    [Fact]
    public void Findings_are_ordered_by_field_then_position()
    {
        var guide = Lint.Guide(Banned(RuleScope.All));
        var input = new LintInput { Channel = "Blog", Title = "gratis", Body = "free and free", Subject = "free" };
        Assert.Equal(["title", "subject", "body", "body"], Lint.Run(guide, input).Findings.Select(f => f.Field).ToArray());
    }
}
