namespace Publisher.Web.Pages.Shared;

/// <summary>
/// How a post held back by the style guide is described wherever its state is shown: the calendar, the variant page,
/// the queue, the CSV export, the iCalendar feed and the API. The reason is the guide's errors as they stand now,
/// each with the rule that found it.
/// </summary>
public static class HeldView
{
    public const string Badge = "held";

    /// <summary>The errors that hold the post back.</summary>
    public static IReadOnlyList<FindingView> Rules(string? findingsJson) =>
        FindingView.Parse(findingsJson).Where(f => f.Severity == "error").ToList();

    /// <summary>One sentence: "Held back by the style guide: … (rule …); …".</summary>
    public static string Reason(string? findingsJson)
    {
        var rules = Rules(findingsJson);
        return rules.Count == 0
            ? "Held back by the style guide: it finds errors in this post. Fix them in the editor."
            : "Held back by the style guide: " + string.Join("; ", rules.Select(f => f.RuleId is null ? f.Message : $"{f.Message} (rule {f.RuleId})")) + ".";
    }
}
