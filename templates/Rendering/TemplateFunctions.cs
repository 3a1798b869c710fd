using System.Globalization;
using System.Text;
using System.Text.Json;
using Publisher.Templates.Channels;
using Publisher.Templates.Counting;
using Scriban.Runtime;

namespace Publisher.Templates.Rendering;

/// <summary>
/// The helper functions templates can call, besides Scriban's own builtins. Functions that measure
/// text use the channel's counting rule, so <c>fit text 200</c> means 200 as that network counts.
/// </summary>
internal static class TemplateFunctions
{
    private const string Ellipsis = "…";

    /// <summary>Builds the helper object for one channel (shared by every render for that channel; it holds no state).</summary>
    public static ScriptObject For(ChannelProfile profile)
    {
        var helpers = new ScriptObject();
        helpers.Import("count", new Func<string?, int>(text => ChannelCounter.Count(profile, text ?? "").Used));
        helpers.Import("fit", new Func<string?, int, string>((text, max) => Fit(profile, text ?? "", max)));
        helpers.Import("hashtags", new Func<object?, int, string>(Hashtags));
        helpers.Import("missing_facts", new Func<string?, object?, ScriptArray>((text, facts) => new ScriptArray(MissingFacts(text ?? "", facts))));
        helpers.Import("first_sentence", new Func<string?, string>(text => FirstSentence(text ?? "")));
        helpers.Import("first_paragraph", new Func<string?, string>(text => FirstParagraph(text ?? "")));
        helpers.Import("json", new Func<object?, string>(Json));
        helpers.Import("slack_escape", new Func<string?, string>(SlackEscape));
        helpers.Import("xml_escape", new Func<string?, string>(XmlEscape));
        helpers.Import("rfc3339", new Func<string?, string>(Rfc3339));
        return helpers;
    }

    /// <summary>
    /// Shortens <paramref name="text"/> at a word boundary so that, with an ellipsis, it counts at most
    /// <paramref name="max"/> under the channel's rule. Text that already fits is returned unchanged.
    /// </summary>
    public static string Fit(ChannelProfile profile, string text, int max)
    {
        text = text.Trim();
        if (max <= 0) return "";
        if (ChannelCounter.Count(profile, text).Used <= max) return text;
        var elements = TextElements(text);
        // Binary search on the number of text elements kept, then back off to a word boundary.
        int low = 0, high = elements.Count;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            var candidate = string.Concat(elements.Take(mid)).TrimEnd() + Ellipsis;
            if (ChannelCounter.Count(profile, candidate).Used <= max) low = mid; else high = mid - 1;
        }
        var kept = string.Concat(elements.Take(low));
        var lastSpace = kept.LastIndexOf(' ');
        if (lastSpace > kept.Length / 2) kept = kept[..lastSpace];
        kept = kept.TrimEnd(' ', ',', ';', ':', '-', '–', '—');
        return kept.Length == 0 ? "" : kept + Ellipsis;
    }

    private static List<string> TextElements(string text)
    {
        var list = new List<string>(text.Length);
        var enumerator = StringInfo.GetTextElementEnumerator(text);
        while (enumerator.MoveNext()) list.Add(enumerator.GetTextElement());
        return list;
    }

    /// <summary>"#Launch #Spring" from a list of tags (with or without <c>#</c>, spaces removed), at most <paramref name="max"/> (0 = all).</summary>
    public static string Hashtags(object? tags, int max = 0)
    {
        if (tags is not System.Collections.IEnumerable list || tags is string) return "";
        var result = new List<string>();
        foreach (var item in list)
        {
            var tag = Normalize(item?.ToString());
            if (tag.Length == 0 || result.Contains(tag, StringComparer.OrdinalIgnoreCase)) continue;
            result.Add(tag);
            if (max > 0 && result.Count == max) break;
        }
        return string.Join(' ', result);

        static string Normalize(string? raw)
        {
            if (string.IsNullOrWhiteSpace(raw)) return "";
            var builder = new StringBuilder("#");
            foreach (var c in raw.Trim().TrimStart('#', '＃'))
            {
                if (char.IsLetterOrDigit(c) || c == '_') builder.Append(c);
            }
            return builder.Length == 1 ? "" : builder.ToString();
        }
    }

    /// <summary>
    /// The key facts <paramref name="text"/> does not state yet (compared ignoring case and a trailing full stop, as
    /// the style guide's key-facts rule reads them), in order: a template adds these so no fact is dropped.
    /// </summary>
    public static IReadOnlyList<string> MissingFacts(string text, object? facts)
    {
        var list = facts switch
        {
            null => [],
            string one => [one],
            System.Collections.IEnumerable many => many.Cast<object?>().Select(f => f?.ToString() ?? ""),
            _ => [facts.ToString() ?? ""],
        };
        return list.Select(f => f.Trim())
            .Where(f => f.TrimEnd('.', ',', ';', ':') is { Length: > 0 } fact && !text.Contains(fact, StringComparison.OrdinalIgnoreCase))
            .ToList();
    }

    /// <summary>The first sentence of <paramref name="text"/> (up to and including its ., ! or ?).</summary>
    public static string FirstSentence(string text)
    {
        text = FirstParagraph(text);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '.' or '!' or '?' or '。' or '！' or '？' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])))
                return text[..(i + 1)];
        }
        return text;
    }

    /// <summary>The first paragraph (text up to the first blank line).</summary>
    public static string FirstParagraph(string text)
    {
        text = text.Trim();
        var end = text.IndexOf("\n\n", StringComparison.Ordinal);
        return end < 0 ? text : text[..end].Trim();
    }

    /// <summary>A JSON literal for a template value: string, number, boolean, null, array or object.</summary>
    public static string Json(object? value) => JsonSerializer.Serialize(ToPlain(value), JsonOptions);

    // The payload is JSON, never HTML, so non-ASCII text can stay readable instead of \u-escaped.
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static object? ToPlain(object? value) => value switch
    {
        null => null,
        string or bool or int or long or double or decimal or float => value,
        ScriptObject obj => obj.ToDictionary(p => p.Key, p => ToPlain(p.Value)),
        System.Collections.IEnumerable list => list.Cast<object?>().Select(ToPlain).ToList(),
        _ => value.ToString(),
    };

    /// <summary>Escapes the three characters Slack's mrkdwn treats as control characters (&amp;, &lt;, &gt;).</summary>
    public static string SlackEscape(string? text) =>
        (text ?? "").Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>Escapes text for XML content and attribute values.</summary>
    public static string XmlEscape(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.AsSpan().IndexOfAny("&<>\"'") < 0) return text ?? "";
        // One pass: the blog escapes its whole article into the feed entry.
        var builder = new StringBuilder(text.Length + text.Length / 8);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&apos;",
                _ => null,
            });
            if (c is not ('&' or '<' or '>' or '"' or '\'')) builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>An ISO 8601 / RFC 3339 instant (UTC) from a date string, as Atom requires; empty when it cannot be read.</summary>
    public static string Rfc3339(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            ? instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : "";
}
