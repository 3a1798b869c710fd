namespace Publisher.StyleGuide.Tests;

public class RequiredRuleTests
{
    private static readonly RequiredRule NeedsLink = new() { Id = "link", Message = "Add {missing}.", Severity = Severity.Error, Element = RequiredElement.Link };
    private static readonly RequiredRule NeedsCta = new() { Id = "cta", Message = "Add \"{missing}\".", Element = RequiredElement.CallToAction };

    private static LintInput Variant(string body, string? link = "https://northwind.example/guji", string? cta = null) =>
        new() { Channel = "X", Body = body, Link = link, CallToAction = cta };

    [Fact]
    public void A_variant_without_the_message_link_is_reported()
    {
        var finding = Assert.Single(Lint.Run(Lint.Guide(NeedsLink), Variant("New roast is out")).Findings);
        Assert.Equal("Add https://northwind.example/guji.", finding.Message);
        Assert.Equal("link|body|missing:https://northwind.example/guji", finding.Key);
        Assert.Equal(0, finding.Length);
    }

    [Theory]
    [InlineData("New roast: https://northwind.example/guji")]
    [InlineData("New roast: https://northwind.example/guji?utm_source=x&utm_campaign=spring")]
    [InlineData("New roast: http://www.northwind.example/guji/")]
    [InlineData("New roast (https://Northwind.example/guji).")]
    public void The_link_with_tracking_parameters_or_trivial_differences_counts(string body)
    {
        Assert.Empty(Lint.Run(Lint.Guide(NeedsLink), Variant(body)).Findings);
    }

    [Theory]
    [InlineData("New roast: https://northwind.example/guji-2")]
    [InlineData("New roast: https://northwind.example/")]
    public void A_different_link_does_not_count(string body)
    {
        Assert.Single(Lint.Run(Lint.Guide(NeedsLink), Variant(body)).Findings);
    }

    [Fact]
    public void A_message_without_a_link_needs_none()
    {
        Assert.Empty(Lint.Run(Lint.Guide(NeedsLink), Variant("New roast", link: null)).Findings);
    }

    [Fact]
    public void The_call_to_action_must_appear_ignoring_case()
    {
        var guide = Lint.Guide(NeedsCta);
        Assert.Equal("Add \"Order now\".", Assert.Single(Lint.Run(guide, Variant("New roast", cta: "Order now")).Findings).Message);
        Assert.Empty(Lint.Run(guide, Variant("New roast. ORDER NOW!", cta: "Order now")).Findings);
        Assert.Single(Lint.Run(guide, Variant("New roast. Preorder nowhere", cta: "Order now")).Findings);
    }

    [Fact]
    public void Required_text_is_satisfied_by_any_token_or_pattern()
    {
        var rule = new RequiredRule { Id = "sign-off", Message = "Sign off with {missing}.", Element = RequiredElement.Text, Match = new TextMatcher(["the Northwind team"], [@"—\s?\p{Lu}\w+"]) };
        Assert.Equal("Sign off with the Northwind team.", Assert.Single(Lint.Body(Lint.Guide(rule), "See you soon.").Findings).Message);
        Assert.Empty(Lint.Body(Lint.Guide(rule), "See you soon, the Northwind team").Findings);
        Assert.Empty(Lint.Body(Lint.Guide(rule), "See you soon —Ana").Findings);
    }
}
