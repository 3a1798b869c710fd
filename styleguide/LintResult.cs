namespace Publisher.StyleGuide;

/// <summary>The findings for one variant, its score and the guide version that produced them.</summary>
/// <param name="Findings">Findings ordered by field (title, subject, body, …) then position.</param>
/// <param name="GuideVersion">The <see cref="BrandStyleGuide.ComputeVersion"/> of the guide used.</param>
/// <param name="Diagnostics">Problems running the guide (e.g. a backtracking regex that timed out); not the variant's fault.</param>
public sealed record LintResult(IReadOnlyList<Finding> Findings, string GuideVersion, IReadOnlyList<string> Diagnostics)
{
    /// <summary>0–100 from the findings; see <see cref="LintScore"/>. Computed on access, so it stays right after <c>with</c>.</summary>
    public int Score => LintScore.Compute(Findings);

    /// <summary>Whether any finding is an error. Errors block submitting for review, approving and publishing.</summary>
    public bool HasErrors => Findings.Any(f => f.Severity == Severity.Error);

    /// <summary>Warnings nobody has accepted yet.</summary>
    public IEnumerable<Finding> UnacceptedWarnings => Findings.Where(f => f.Severity == Severity.Warning && !f.Accepted);

    /// <summary>
    /// Marks the warnings whose <see cref="Finding.Key"/> is in <paramref name="acceptedKeys"/> as
    /// accepted; the score then leaves them out. Errors cannot be accepted and stay as they are.
    /// </summary>
    /// <param name="acceptedKeys">Keys of warnings accepted with a reason (stored by the caller).</param>
    public LintResult WithAcceptedWarnings(IEnumerable<string> acceptedKeys)
    {
        var keys = acceptedKeys as ISet<string> ?? new HashSet<string>(acceptedKeys, StringComparer.Ordinal);
        var findings = Findings.Select(f => f.Severity == Severity.Warning && keys.Contains(f.Key) ? f with { Accepted = true } : f).ToList();
        return new LintResult(findings, GuideVersion, Diagnostics);
    }
}

/// <summary>
/// The score formula: 100 − 25 per error − 10 per unaccepted warning − 2 per suggestion,
/// never below 0. A clean variant scores 100; one error caps it at 75; four errors give 0.
/// </summary>
public static class LintScore
{
    /// <summary>Points lost per error.</summary>
    public const int ErrorPenalty = 25;

    /// <summary>Points lost per warning not accepted.</summary>
    public const int WarningPenalty = 10;

    /// <summary>Points lost per suggestion.</summary>
    public const int SuggestionPenalty = 2;

    /// <summary>Scores a set of findings.</summary>
    /// <param name="findings">The findings.</param>
    public static int Compute(IEnumerable<Finding> findings)
    {
        var score = 100;
        foreach (var finding in findings)
        {
            score -= finding switch
            {
                { Severity: Severity.Error } => ErrorPenalty,
                { Severity: Severity.Warning, Accepted: false } => WarningPenalty,
                { Severity: Severity.Suggestion } => SuggestionPenalty,
                _ => 0,
            };
        }
        return Math.Max(0, score);
    }
}
