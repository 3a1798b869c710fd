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

    /// <summary>Builds the stable key from its parts.</summary>
    /// <param name="ruleId">The rule id.</param>
    /// <param name="field">The field.</param>
    /// <param name="subject">The matched text, or what is missing.</param>
    public static string MakeKey(string ruleId, string field, string subject) => $"{ruleId}|{field}|{subject}";
}
