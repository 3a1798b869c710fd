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

    /// <summary>Clean means nothing an approver must weigh: no error and no warning left unaccepted.</summary>
    public static bool IsClean(string? findingsJson) =>
        Parse(findingsJson).All(f => f.Severity != "error" && (f.Severity != "warning" || f.Accepted));
}
