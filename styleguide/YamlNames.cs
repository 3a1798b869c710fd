namespace Publisher.StyleGuide;

/// <summary>The names enum values have in YAML (kebab-case), both ways.</summary>
internal static class YamlNames
{
    public static readonly IReadOnlyList<(Severity Value, string Name)> Severities =
        [(Severity.Error, "error"), (Severity.Warning, "warning"), (Severity.Suggestion, "suggestion")];

    public static readonly IReadOnlyList<(OccurrenceToken Value, string Name)> Tokens =
    [
        (OccurrenceToken.Hashtag, "hashtag"), (OccurrenceToken.Mention, "mention"), (OccurrenceToken.Link, "link"),
        (OccurrenceToken.Emoji, "emoji"), (OccurrenceToken.Exclamation, "exclamation"),
    ];

    public static readonly IReadOnlyList<(TextMetric Value, string Name)> Metrics =
        [(TextMetric.SentenceWords, "sentence-words"), (TextMetric.Readability, "readability")];

    public static readonly IReadOnlyList<(RequiredElement Value, string Name)> Elements =
        [(RequiredElement.Link, "link"), (RequiredElement.CallToAction, "call-to-action"), (RequiredElement.Text, "text")];

    public static readonly IReadOnlyList<string> Kinds =
        ["existence", "substitution", "capitalization", "occurrence", "conditional", "metric", "required", "key-facts"];

    public static string Of(Severity value) => Severities.First(s => s.Value == value).Name;

    public static string Of(OccurrenceToken value) => Tokens.FirstOrDefault(s => s.Value == value).Name ?? "custom";

    public static string Of(TextMetric value) => Metrics.First(s => s.Value == value).Name;

    public static string Of(RequiredElement value) => Elements.First(s => s.Value == value).Name;

    /// <summary>The closest of <paramref name="candidates"/> to a misspelt <paramref name="value"/>, if any is close.</summary>
    public static string? Closest(string value, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(value.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }
        return bestDistance <= Math.Max(2, value.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
