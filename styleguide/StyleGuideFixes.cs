namespace Publisher.StyleGuide;

/// <summary>Applies the one-click fixes findings carry.</summary>
public static class StyleGuideFixes
{
    /// <summary>
    /// Replaces the finding's span in <paramref name="fieldText"/> with its fix. Refuses (returns
    /// false and the text unchanged) when the finding has no fix or the text no longer holds the
    /// matched text at that span, e.g. because it was edited since the lint.
    /// </summary>
    /// <param name="fieldText">The current text of the finding's field.</param>
    /// <param name="finding">The finding.</param>
    /// <param name="fixedText">The text with the fix applied, or <paramref name="fieldText"/> when refused.</param>
    public static bool TryApply(string fieldText, Finding finding, out string fixedText)
    {
        fixedText = fieldText;
        if (finding.Fix is null || !StillMatches(fieldText, finding))
        {
            return false;
        }
        var (start, length) = finding.Fix.Length == 0 ? WithOneSpace(fieldText, finding.Start, finding.Length) : (finding.Start, finding.Length);
        fixedText = string.Concat(fieldText.AsSpan(0, start), finding.Fix, fieldText.AsSpan(start + length));
        return true;
    }

    /// <summary>
    /// Removing a word also removes one space beside it, so "a very good cup" becomes "a good cup",
    /// not "a  good cup": the space after it, or before it when punctuation or the end follows.
    /// </summary>
    private static (int Start, int Length) WithOneSpace(string text, int start, int length)
    {
        var end = start + length;
        if (end < text.Length && text[end] == ' ' && (start == 0 || text[start - 1] == ' ' || char.IsLetterOrDigit(text[end + 1 < text.Length ? end + 1 : end])))
            return (start, length + 1);
        if (start > 0 && text[start - 1] == ' ')
            return (start - 1, length + 1);
        return (start, length);
    }

    /// <summary>
    /// Applies every applicable fix of <paramref name="findings"/> in <paramref name="field"/> at once,
    /// skipping fixes that overlap one already applied.
    /// </summary>
    /// <param name="fieldText">The current text of the field.</param>
    /// <param name="field">The field's name, e.g. "body".</param>
    /// <param name="findings">Findings from a lint of that text.</param>
    /// <returns>The fixed text.</returns>
    public static string ApplyAll(string fieldText, string field, IEnumerable<Finding> findings)
    {
        var text = fieldText;
        var lowestStart = int.MaxValue;
        // From the end backwards, so earlier spans stay where the linter found them.
        foreach (var finding in findings.Where(f => f.Fix is not null && f.Field == field).OrderByDescending(f => f.Start))
        {
            if (finding.Start + finding.Length > lowestStart)
            {
                continue;
            }
            if (TryApply(text, finding, out var next))
            {
                text = next;
                lowestStart = finding.Start;
            }
        }
        return text;
    }

    private static bool StillMatches(string text, Finding finding) =>
        finding.Start >= 0 && finding.Length >= 0 && finding.Start + finding.Length <= text.Length
        && text.AsSpan(finding.Start, finding.Length).SequenceEqual(finding.MatchedText);
}
