namespace Publisher.StyleGuide.Tests;

/// <summary>Alt text is part of what goes out: a missing one is an error, and the guide's vocabulary applies to it.</summary>
public class AltTextTests
{
    private static readonly BrandStyleGuide Guide = new()
    {
        Vocabulary = new BrandVocabulary
        {
            BrandNames = [new BrandName("BrewPass")],
            Banned = [new BannedTerm("cheap", "Say \"good value\".")],
        },
        Rules = [new KeyFactsRule { Id = "key-facts", Severity = Severity.Error, Message = "Say {missing}." }],
    };

    private static LintResult Lint(params string?[] altTexts) => CompiledStyleGuide.Compile(Guide).Lint(new LintInput
    {
        Channel = "X", Body = "Fresh beans on Friday, €14.", KeyFacts = ["€14"], AltTexts = altTexts,
    });

    [Fact]
    public void A_missing_alt_text_is_an_error_on_that_attachment()
    {
        var result = Lint("A barista pours a flat white", "  ");
        var finding = Assert.Single(result.Findings);
        Assert.Equal(CompiledStyleGuide.AltTextRuleId, finding.RuleId);
        Assert.Equal(Severity.Error, finding.Severity);
        Assert.Equal("alt:2", finding.Field);
        Assert.Contains("Attachment 2 has no alt text", finding.Message);
        Assert.True(result.HasErrors);
    }

    [Fact]
    public void Banned_terms_and_brand_names_are_found_in_alt_text_too()
    {
        var result = Lint("A cheap brewpass card on a table");
        Assert.Contains(result.Findings, f => f.RuleId == "vocabulary.banned" && f.Field == "alt:1" && f.MatchedText == "cheap");
        Assert.Contains(result.Findings, f => f.RuleId == "vocabulary.brand-names" && f.Field == "alt:1" && f.Fix == "BrewPass");
    }

    [Fact]
    public void A_key_fact_in_the_alt_text_alone_does_not_count_as_said()
    {
        var result = CompiledStyleGuide.Compile(Guide).Lint(new LintInput { Channel = "X", Body = "Fresh beans on Friday.", KeyFacts = ["€14"], AltTexts = ["A price tag: €14"] });
        Assert.Contains(result.Findings, f => f.RuleId == "key-facts");
    }

    [Fact]
    public void A_variant_without_media_has_no_alt_text_findings()
    {
        Assert.Empty(Lint().Findings);
    }
}
