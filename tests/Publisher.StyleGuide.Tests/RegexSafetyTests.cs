namespace Publisher.StyleGuide.Tests;

public class RegexSafetyTests
{
    [Fact]
    public void A_catastrophic_backtracking_pattern_returns_on_a_long_input()
    {
        var rule = new ExistenceRule { Id = "evil", Message = "{match}", Match = new TextMatcher([], ["(a+)+$"]) };
        var body = new string('a', 50_000) + "!";

        var result = Lint.Body(Lint.Guide(rule), body);

        Assert.Empty(result.Findings);
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void A_pattern_that_needs_backtracking_runs_with_a_timeout_and_says_so_when_it_fires()
    {
        // The lookahead rules out NonBacktracking, so this runs on the backtracking engine.
        var rule = new ExistenceRule { Id = "evil", Message = "{match}", Match = new TextMatcher([], ["^(?=a)(a+)+$"]) };
        Assert.Empty(StyleGuideValidator.Validate(Lint.Guide(rule)));
        var body = new string('a', 5_000) + "!";

        var result = Lint.Body(Lint.Guide(rule), body);

        Assert.Empty(result.Findings);
        Assert.Contains(result.Diagnostics, d => d.Contains("'evil'", StringComparison.Ordinal));
    }

    [Fact]
    public void An_invalid_regex_in_a_guide_built_in_code_is_skipped_not_thrown()
    {
        var bad = new ExistenceRule { Id = "bad", Message = "x", Match = new TextMatcher([], ["(unclosed"]) };
        var good = new ExistenceRule { Id = "good", Message = "x", Match = new TextMatcher(["cheap"], []) };

        var compiled = CompiledStyleGuide.Compile(Lint.Guide(bad, good));

        Assert.Contains(compiled.Diagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Path == "rules[0].patterns[0]");
        Assert.Equal(["good"], compiled.Lint(new LintInput { Channel = "X", Body = "cheap (unclosed" }).Findings.Select(f => f.RuleId).ToArray());
    }
}
