namespace Publisher.StyleGuide.Tests;

/// <summary>Small builders shared by the rule tests.</summary>
internal static class Lint
{
    public static BrandStyleGuide Guide(params StyleRule[] rules) => new() { Rules = rules };

    public static LintResult Body(BrandStyleGuide guide, string body, string channel = "X") =>
        CompiledStyleGuide.Compile(guide).Lint(new LintInput { Channel = channel, Body = body });

    public static LintResult Run(BrandStyleGuide guide, LintInput input) => CompiledStyleGuide.Compile(guide).Lint(input);

    public static BrandStyleGuide ParseOrFail(string yaml)
    {
        var result = StyleGuideYaml.Parse(yaml);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result.Guide!;
    }

    public static string[] Matched(this LintResult result, string? ruleId = null) =>
        result.Findings.Where(f => ruleId is null || f.RuleId == ruleId).Select(f => f.MatchedText).ToArray();
}
