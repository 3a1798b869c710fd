namespace Publisher.StyleGuide;

/// <summary>One problem the linter found in a variant.</summary>
/// <param name="RuleId">The rule's id, or <c>vocabulary.preferred</c>, <c>vocabulary.banned</c>, <c>vocabulary.brand-names</c>.</param>
/// <param name="Severity">How serious it is.</param>
/// <param name="Message">What to show the writer, placeholders filled in.</param>
/// <param name="Field">The field it is in: "title", "subject", "body", …</param>
/// <param name="Start">Where the span starts in that field's text (UTF-16 index).</param>
/// <param name="Length">The span's length; 0 for something missing (a link, a fact), reported at the field's start.</param>
/// <param name="MatchedText">The text of the span.</param>
/// <param name="Fix">The replacement for the span that fixes it, when there is one (substitutions, brand names).</param>
/// <param name="Key">
/// A key that stays the same across re-lints while the problem is the same: rule id, field and the
/// matched text (or, for something missing, what is missing). Store it with a warning's acceptance.
/// </param>
public sealed record Finding(
    string RuleId,
    Severity Severity,
    string Message,
    string Field,
    int Start,
    int Length,
    string MatchedText,
    string? Fix,
    string Key)
{
    /// <summary>Whether a person accepted this warning with a reason (see <see cref="LintResult.WithAcceptedWarnings"/>).</summary>
    public bool Accepted { get; init; }

    /// <summary>
    /// Every place to point the writer to, in text order, when there is more than one (a field that reads too hard:
    /// each sentence that pulls its reading ease down). Empty when the finding's own span says it all.
    /// <see cref="Start"/> and <see cref="Length"/> then hold the most important one.
    /// </summary>
    public IReadOnlyList<FindingSpan> Highlights { get; init; } = [];

    /// <summary>Builds the stable key from its parts.</summary>
    /// <param name="ruleId">The rule id.</param>
    /// <param name="field">The field.</param>
    /// <param name="subject">The matched text, or what is missing.</param>
    public static string MakeKey(string ruleId, string field, string subject) => $"{ruleId}|{field}|{subject}";
}

/// <summary>A span of a field's text that a finding points to.</summary>
/// <param name="Start">Where it starts (UTF-16 index).</param>
/// <param name="Length">Its length.</param>
/// <param name="Text">The text of the span.</param>
public sealed record FindingSpan(int Start, int Length, string Text);
