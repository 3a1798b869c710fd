using System.Text.RegularExpressions;
using Publisher.Templates.Counting;

namespace Publisher.Web.Pages.Shared;

/// <summary>
/// Splits a post's text into plain runs, links and hashtags, so a preview colours them as the networks do.
/// The text itself is never changed: every character appears once, in order, and is encoded by Razor.
/// </summary>
public static class PostText
{
    public enum Kind { Text, Link, Hashtag }

    public sealed record Segment(string Text, Kind Kind);

    // A hashtag as the networks see one: '#' not glued to a word, URL or entity before it, and at least one letter.
    private static readonly Regex Hashtag = new(@"(?<![\p{L}\p{M}\p{N}_&/#])#(?=[\p{L}\p{M}\p{N}_]*[\p{L}\p{M}])[\p{L}\p{M}\p{N}_]+",
        RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>The class a preview gives a segment (the same the editor's live previews use); plain text gets none.</summary>
    public static string? CssClass(Kind kind) => kind switch
    {
        Kind.Link => "t-link",
        Kind.Hashtag => "t-tag",
        _ => null,
    };

    public static IReadOnlyList<Segment> Split(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return [];
        var marks = UrlExtractor.Extract(text).Select(u => (u.Start, u.End, Kind: Kind.Link)).ToList();
        try
        {
            foreach (Match tag in Hashtag.Matches(text))
            {
                if (!marks.Any(m => tag.Index < m.End && tag.Index + tag.Length > m.Start))
                    marks.Add((tag.Index, tag.Index + tag.Length, Kind.Hashtag));
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // A preview without coloured hashtags is still the right text.
        }
        var segments = new List<Segment>();
        var at = 0;
        foreach (var (start, end, kind) in marks.OrderBy(m => m.Start))
        {
            if (start > at)
                segments.Add(new Segment(text[at..start], Kind.Text));
            segments.Add(new Segment(text[start..end], kind));
            at = end;
        }
        if (at < text.Length)
            segments.Add(new Segment(text[at..], Kind.Text));
        return segments;
    }
}
