namespace Publisher.Templates.Html;

/// <summary>
/// Measures how deep HTML or XML nests, in one linear pass and without recursion, before a parser builds a
/// tree of it. HTML parsers (AngleSharp, under HtmlSanitizer) slow down with the square of the depth: 100,000
/// nested <c>&lt;b&gt;</c> tags, 300 KB that a two-line template can write, took over a minute. Elements
/// whose end tag HTML lets one leave out (<c>p</c>, <c>li</c>, <c>td</c>, …) are closed where the HTML
/// parser closes them, void elements (<c>br</c>, <c>img</c>, …) open nothing, and the text of
/// <c>script</c>, <c>style</c> and the like is skipped, so ordinary HTML measures about what a browser
/// builds (never less: where it is unsure it counts an element as still open).
/// </summary>
internal static class MarkupNesting
{
    private static readonly HashSet<string> Void = new(StringComparer.Ordinal)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    };

    private static readonly HashSet<string> RawText = new(StringComparer.Ordinal)
    {
        "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
    };

    // A start tag of these closes an open <p> (as the HTML parser does when a p is "in button scope").
    private static readonly HashSet<string> ClosesParagraph = new(StringComparer.Ordinal)
    {
        "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl", "fieldset", "figcaption", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "dd", "dt", "main", "menu", "nav", "ol", "p",
        "pre", "section", "summary", "table", "ul",
    };

    private static readonly string[] ButtonScope = ["html", "table", "td", "th", "caption", "button", "object", "template", "marquee", "applet"];

    // Start tags that close an open sibling of theirs, looking no further than the given boundaries.
    private static readonly Dictionary<string, (string[] Closes, string[] Boundaries)> ClosesSibling = new(StringComparer.Ordinal)
    {
        ["li"] = (["li"], ["ul", "ol", "table", "td", "th"]),
        ["dt"] = (["dt", "dd"], ["dl", "table", "td", "th"]),
        ["dd"] = (["dt", "dd"], ["dl", "table", "td", "th"]),
        ["td"] = (["td", "th"], ["tr", "table"]),
        ["th"] = (["td", "th"], ["tr", "table"]),
        ["tr"] = (["tr", "td", "th"], ["tbody", "thead", "tfoot", "table"]),
        ["tbody"] = (["tbody", "thead", "tfoot", "tr", "td", "th"], ["table"]),
        ["thead"] = (["tbody", "thead", "tfoot", "tr", "td", "th"], ["table"]),
        ["tfoot"] = (["tbody", "thead", "tfoot", "tr", "td", "th"], ["table"]),
        ["option"] = (["option"], ["select", "datalist", "optgroup"]),
        ["optgroup"] = (["optgroup", "option"], ["select"]),
        ["rt"] = (["rt", "rp"], ["ruby"]),
        ["rp"] = (["rt", "rp"], ["ruby"]),
    };

    /// <summary>Where the markup first nests deeper than <paramref name="maxDepth"/>: its 1-based line; null when it never does.</summary>
    public static int? FindTooDeep(string markup, int maxDepth)
    {
        var open = new List<string>();
        var line = 1;
        var i = 0;
        while (i < markup.Length)
        {
            var c = markup[i];
            if (c == '\n') line++;
            if (c != '<' || i + 1 >= markup.Length)
            {
                i++;
                continue;
            }
            var next = markup[i + 1];
            if (next == '!' || next == '?')
            {
                var end = next == '!' && string.CompareOrdinal(markup, i, "<!--", 0, 4) == 0 ? IndexAfter(markup, "-->", i + 4) : IndexAfter(markup, ">", i + 2);
                line += Lines(markup, i, end);
                i = end;
                continue;
            }
            var closing = next == '/';
            var nameStart = closing ? i + 2 : i + 1;
            var nameEnd = nameStart;
            while (nameEnd < markup.Length && (char.IsAsciiLetterOrDigit(markup[nameEnd]) || markup[nameEnd] is '-' or ':' or '_' or '.'))
                nameEnd++;
            if (nameEnd == nameStart || !char.IsAsciiLetter(markup[nameStart]))
            {
                i++;
                continue;
            }
            var name = markup[nameStart..nameEnd].ToLowerInvariant();
            var tagEnd = TagEnd(markup, nameEnd);
            line += Lines(markup, i, tagEnd);
            var selfClosing = tagEnd >= 2 && markup[tagEnd - 2] == '/';
            i = tagEnd;

            if (closing)
            {
                var at = open.LastIndexOf(name);
                if (at >= 0) open.RemoveRange(at, open.Count - at);
                continue;
            }
            if (selfClosing || Void.Contains(name))
                continue;
            if (RawText.Contains(name))
            {
                var end = markup.IndexOf("</" + name, i, StringComparison.OrdinalIgnoreCase);
                end = end < 0 ? markup.Length : end;
                line += Lines(markup, i, end);
                i = end;
                continue;
            }
            if (ClosesParagraph.Contains(name))
                Close(open, ["p"], ButtonScope);
            if (ClosesSibling.TryGetValue(name, out var rule))
                Close(open, rule.Closes, rule.Boundaries);
            open.Add(name);
            if (open.Count > maxDepth)
                return line;
        }
        return null;
    }

    // Closes the nearest open element named in closes, unless a boundary comes first (looking from the innermost out).
    private static void Close(List<string> open, string[] closes, string[] boundaries)
    {
        for (var k = open.Count - 1; k >= 0; k--)
        {
            if (closes.Contains(open[k]))
            {
                open.RemoveRange(k, open.Count - k);
                return;
            }
            if (boundaries.Contains(open[k]))
                return;
        }
    }

    // The index just after the tag's '>', skipping quoted attribute values.
    private static int TagEnd(string markup, int i)
    {
        var quote = '\0';
        for (; i < markup.Length; i++)
        {
            var c = markup[i];
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
            }
            else if (c is '"' or '\'') quote = c;
            else if (c == '>') return i + 1;
        }
        return markup.Length;
    }

    private static int IndexAfter(string markup, string what, int from)
    {
        var at = markup.IndexOf(what, Math.Min(from, markup.Length), StringComparison.Ordinal);
        return at < 0 ? markup.Length : at + what.Length;
    }

    private static int Lines(string markup, int from, int to)
    {
        var count = 0;
        for (var k = from + 1; k < to && k < markup.Length; k++)
            if (markup[k] == '\n') count++;
        return count;
    }
}
