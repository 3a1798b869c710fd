using System.Text.Json;

namespace Publisher.Web.Pages.Shared;

/// <summary>A style guide finding or render diagnostic as stored on a variant, for display.</summary>
public sealed record FindingView(string Severity, string Message, string? MatchedText, string? RuleId, bool Accepted)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Stored(string? Severity, string? Message, string? MatchedText, string? RuleId, string? Code, bool Accepted);

    public static IReadOnlyList<FindingView> Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return [];
        return (JsonSerializer.Deserialize<List<Stored>>(json, Json) ?? [])
            .Select(s => new FindingView(s.Severity ?? "info", s.Message ?? "", s.MatchedText, s.RuleId ?? s.Code, s.Accepted))
            .ToList();
    }

    /// <summary>
    /// The matched text as a short quote for a list of findings: a finding can span a long sentence (or, stored by an
    /// older version, a whole post), which would fill the sidebar. Cut at a word near <paramref name="max"/> characters.
    /// </summary>
    public string? Excerpt(int max = 80)
    {
        if (string.IsNullOrWhiteSpace(MatchedText))
            return null;
        var text = string.Join(' ', MatchedText.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (text.Length <= max)
            return text;
        var cut = text.LastIndexOf(' ', max);
        return text[..(cut > max / 2 ? cut : max)].TrimEnd(',', ';', ':', '.') + "…";
    }

    /// <summary>Clean means nothing an approver must weigh: no error and no warning left unaccepted.</summary>
    public static bool IsClean(string? findingsJson) =>
        Parse(findingsJson).All(f => f.Severity != "error" && (f.Severity != "warning" || f.Accepted));
}
