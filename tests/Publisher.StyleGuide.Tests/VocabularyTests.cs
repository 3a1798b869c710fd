namespace Publisher.StyleGuide.Tests;

public class VocabularyTests
{
    private static readonly BrandStyleGuide Guide = new()
    {
        Vocabulary = new BrandVocabulary
        {
            BrandNames = [new BrandName("Northwind Coffee", ["North Wind Coffee"]), new BrandName("Northwind"), new BrandName("BrewPass")],
            Preferred = [new PreferredTerm("sign up", ["signup", "sign-up"], "Use the verb."), new PreferredTerm("email", ["e-mail"])],
            Banned = [new BannedTerm("cheap", "Say \"good value\"."), new BannedTerm("synergy", Severity: Severity.Warning)],
        },
    };

    [Fact]
    public void A_brand_name_written_differently_is_an_error_with_the_exact_name_as_fix()
    {
        var finding = Assert.Single(Lint.Body(Guide, "Try a brewpass today").Findings);
        Assert.Equal("vocabulary.brand-names", finding.RuleId);
        Assert.Equal(Severity.Error, finding.Severity);
        Assert.Equal("brewpass", finding.MatchedText);
        Assert.Equal("BrewPass", finding.Fix);
    }

    [Fact]
    public void A_listed_misspelling_is_reported_with_the_exact_name_as_fix()
    {
        var finding = Assert.Single(Lint.Body(Guide, "Welcome to North Wind Coffee.").Findings);
        Assert.Equal("North Wind Coffee", finding.MatchedText);
        Assert.Equal("Northwind Coffee", finding.Fix);
    }

    [Fact]
    public void The_longer_brand_name_wins_over_the_shorter_one_inside_it()
    {
        var finding = Assert.Single(Lint.Body(Guide, "Welcome to northwind coffee.").Findings);
        Assert.Equal("Northwind Coffee", finding.Fix);
    }

    [Theory]
    [InlineData("Northwind Coffee's new roast.")]
    [InlineData("Northwind’s new roast.")]
    [InlineData("Visit https://northwind.example/brewpass or write to hello@northwind.example")]
    [InlineData("The northwindy weather.")]
    public void Correct_spellings_possessives_addresses_and_near_misses_are_not_reported(string body)
    {
        Assert.Empty(Lint.Body(Guide, body).Findings);
    }

    [Fact]
    public void An_avoided_word_gets_the_preferred_term_as_fix_and_the_note()
    {
        var finding = Assert.Single(Lint.Body(Guide, "Signup now").Findings);
        Assert.Equal("vocabulary.preferred", finding.RuleId);
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Equal("Sign up", finding.Fix);
        Assert.Equal("Use \u201CSign up\u201D instead of \u201CSignup\u201D. Use the verb.", finding.Message);
    }

    [Fact]
    public void A_banned_term_is_an_error_unless_its_entry_says_otherwise()
    {
        var result = Lint.Body(Guide, "Cheap synergy");
        Assert.Equal([Severity.Error, Severity.Warning], result.Findings.Select(f => f.Severity).ToArray());
        Assert.Equal("Don't use \u201CCheap\u201D: Say \"good value\".", result.Findings[0].Message);
        Assert.Equal("", result.Findings[0].Fix); // the one-click fix takes it out
    }

    [Fact]
    public void Vocabulary_applies_to_every_field()
    {
        var input = new LintInput { Channel = "Email", Subject = "Cheap beans", Body = "Northwind email" };
        var finding = Assert.Single(Lint.Run(Guide, input).Findings);
        Assert.Equal("subject", finding.Field);
    }

    [Fact]
    public void Hundreds_of_terms_are_all_found()
    {
        var terms = Enumerable.Range(0, 600).Select(i => new BannedTerm($"word{i}")).ToList();
        var guide = new BrandStyleGuide { Vocabulary = new BrandVocabulary { Banned = terms } };
        var result = Lint.Body(guide, "word0 word599 word300x word42");
        Assert.Equal(["word0", "word599", "word42"], result.Matched());
    }
}
