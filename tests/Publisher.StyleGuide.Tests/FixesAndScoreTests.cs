namespace Publisher.StyleGuide.Tests;

public class FixesAndScoreTests
{
    private static readonly BrandStyleGuide Guide = new()
    {
        Vocabulary = new BrandVocabulary
        {
            Preferred = [new PreferredTerm("sign up", ["signup"])],
            Banned = [new BannedTerm("cheap")],
        },
        Rules = [new OccurrenceRule { Id = "bang", Message = "{count}", Severity = Severity.Suggestion, Token = OccurrenceToken.Exclamation, Max = 0 }],
    };

    [Fact]
    public void A_clean_variant_scores_100()
    {
        var result = Lint.Body(Guide, "Sign up for fresh beans.");
        Assert.Equal(100, result.Score);
        Assert.False(result.HasErrors);
    }

    [Fact]
    public void The_score_takes_25_per_error_10_per_warning_and_2_per_suggestion()
    {
        var result = Lint.Body(Guide, "Cheap! Signup");
        Assert.Equal(100 - 25 - 10 - 2, result.Score);
        Assert.True(result.HasErrors);
    }

    [Fact]
    public void The_score_never_goes_below_zero()
    {
        Assert.Equal(0, Lint.Body(Guide, "cheap cheap cheap cheap cheap").Score);
    }

    [Fact]
    public void An_accepted_warning_no_longer_costs_points_but_an_error_cannot_be_accepted()
    {
        var result = Lint.Body(Guide, "Cheap. Signup");
        var keys = result.Findings.Select(f => f.Key).ToList();

        var accepted = result.WithAcceptedWarnings(keys);

        Assert.Equal(75, accepted.Score);
        Assert.True(accepted.HasErrors);
        Assert.Empty(accepted.UnacceptedWarnings);
        Assert.False(accepted.Findings.Single(f => f.Severity == Severity.Error).Accepted);
    }

    [Fact]
    public void A_finding_keeps_its_key_when_the_text_around_it_changes()
    {
        var before = Assert.Single(Lint.Body(Guide, "Signup now").Findings);
        var after = Assert.Single(Lint.Body(Guide, "Hello there. Signup now").Findings);

        Assert.NotEqual(before.Start, after.Start);
        Assert.Equal(before.Key, after.Key);
        Assert.Equal("vocabulary.preferred|body|Signup", after.Key);
    }

    [Fact]
    public void A_fix_is_refused_once_the_text_has_changed_under_it()
    {
        var finding = Assert.Single(Lint.Body(Guide, "Signup now").Findings);

        Assert.False(StyleGuideFixes.TryApply("Sign-up now", finding, out var unchanged));
        Assert.Equal("Sign-up now", unchanged);
        Assert.False(StyleGuideFixes.TryApply("Sig", finding, out _));
    }

    [Fact]
    public void A_finding_without_a_fix_cannot_be_applied()
    {
        var finding = Assert.Single(Lint.Body(Guide, "Fresh!").Findings);
        Assert.Null(finding.Fix);
        Assert.False(StyleGuideFixes.TryApply("Fresh!", finding, out _));
    }

    [Theory]
    [InlineData("Our cheap beans", "Our beans")]
    [InlineData("Cheap beans", "beans")]
    [InlineData("Beans, cheap.", "Beans,.")]
    [InlineData("Beans are cheap", "Beans are")]
    [InlineData("cheap", "")]
    public void Removing_a_banned_word_takes_one_space_with_it(string text, string expected)
    {
        var finding = Assert.Single(Lint.Body(Guide, text).Findings);
        Assert.True(StyleGuideFixes.TryApply(text, finding, out var fixedText));
        Assert.Equal(expected, fixedText);
    }

    [Fact]
    public void Every_result_records_the_guide_version()
    {
        var result = Lint.Body(Guide, "anything");
        Assert.Equal(Guide.ComputeVersion(), result.GuideVersion);
    }

    [Fact]
    public void Empty_and_missing_fields_lint_without_error()
    {
        var compiled = CompiledStyleGuide.Compile(DefaultStyleGuide.Load());
        var result = compiled.Lint(new LintInput { Channel = "", Body = "", Title = null, KeyFacts = ["x"] });
        Assert.Empty(result.Findings);
        Assert.Equal(100, result.Score);
    }

    [Fact]
    public void One_compiled_guide_lints_from_many_threads_with_the_same_results()
    {
        var compiled = CompiledStyleGuide.Compile(DefaultStyleGuide.Load());
        var inputs = Enumerable.Range(0, 64).Select(i => new LintInput { Channel = i % 2 == 0 ? "X" : "Email", Body = $"Signup {i}! Cheap northwind coffee #ad #a #b #c #d", KeyFacts = ["12 March"] }).ToArray();
        var expected = inputs.Select(i => compiled.Lint(i).Findings.Select(f => f.Key).ToArray()).ToArray();

        var actual = new string[inputs.Length][];
        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => actual[i] = compiled.Lint(inputs[i]).Findings.Select(f => f.Key).ToArray());

        Assert.Equal(expected, actual);
    }
}
