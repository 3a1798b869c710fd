using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Publisher.Templates.Channels;
using Publisher.Templates.Counting;

namespace Publisher.Templates.Rendering;

/// <summary>
/// Splits an over-long post into a numbered thread ("1/3", "2/3", …). Parts break between
/// paragraphs and sentences where possible, between words otherwise (a URL is never cut), and only
/// inside a word that alone is longer than a post. Every part, numbering included, fits the limit
/// as the channel counts it.
/// </summary>
public static partial class ThreadSplitter
{
    /// <summary>
    /// Splits <paramref name="text"/> into numbered parts that each fit <paramref name="profile"/>'s
    /// limit. Returns null when the text cannot be split into at most <paramref name="maxParts"/> parts.
    /// </summary>
    public static IReadOnlyList<string>? Split(string text, ChannelProfile profile, int maxParts)
    {
        if (profile.Limit is not { } limit) return [text];
        text = text.Trim();
        var units = Units(text);
        // The numbering's width depends on the number of parts; widen it until the count agrees.
        for (var digits = 1; digits <= 3; digits++)
        {
            var widest = " " + new string('9', digits) + "/" + new string('9', digits);
            var parts = Pack(units, profile, limit, widest);
            if (parts is null) return null;
            if (parts.Count > maxParts) return null;
            if (parts.Count.ToString(CultureInfo.InvariantCulture).Length > digits) continue;
            var numbered = parts.Select((p, i) => $"{p} {i + 1}/{parts.Count}").ToList();
            return numbered.All(p => ChannelCounter.Count(profile, p).Used <= limit) ? numbered : null;
        }
        return null;
    }

    // Paragraphs, each with the separator before it; a paragraph too long for one post is broken into sentences.
    private static List<(string Separator, string Text)> Units(string text) =>
        Paragraph().Split(text).Select(p => p.Trim()).Where(p => p.Length > 0).Select(p => ("\n\n", p)).ToList();

    private static List<string>? Pack(List<(string Separator, string Text)> units, ChannelProfile profile, int limit, string numbering)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        bool Fits(string candidate) => ChannelCounter.Count(profile, candidate + numbering).Used <= limit;

        // Whole pieces first: a paragraph stays together when it fits a post, else its sentences do,
        // else its words; only a word longer than a post is cut.
        void Add(string separator, string piece, int level)
        {
            if (current.Length > 0 && Fits(current + separator + piece))
            {
                current.Append(separator).Append(piece);
                return;
            }
            if (Fits(piece))
            {
                if (current.Length > 0) parts.Add(current.ToString());
                current.Clear().Append(piece);
                return;
            }
            IEnumerable<(string, string)> smaller = level switch
            {
                0 => Sentences(piece),
                1 => Words(piece),
                2 => Graphemes(piece),
                _ => throw new InvalidOperationException("unsplittable"),
            };
            foreach (var (sep, small) in smaller) Add(sep, small, level + 1);
        }

        try
        {
            foreach (var (separator, text) in units) Add(separator, text, 0);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
        if (current.Length > 0) parts.Add(current.ToString());
        return parts;
    }

    private static IEnumerable<(string, string)> Sentences(string paragraph) =>
        SentenceEnd().Split(paragraph).Where(s => s.Trim().Length > 0).Select(s => (" ", s.Trim()));

    private static IEnumerable<(string, string)> Words(string sentence) =>
        sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => (" ", w));

    // A single word longer than a post (never a URL in practice: URLs count a fixed length).
    private static IEnumerable<(string, string)> Graphemes(string word)
    {
        var enumerator = StringInfo.GetTextElementEnumerator(word);
        var chunk = new StringBuilder();
        while (enumerator.MoveNext())
        {
            chunk.Append(enumerator.GetTextElement());
            if (chunk.Length >= 8)
            {
                yield return ("", chunk.ToString());
                chunk.Clear();
            }
        }
        if (chunk.Length > 0) yield return ("", chunk.ToString());
    }

    [GeneratedRegex(@"\n\s*\n")]
    private static partial Regex Paragraph();

    [GeneratedRegex(@"(?<=[.!?…。！？])\s+|\n")]
    private static partial Regex SentenceEnd();
}
