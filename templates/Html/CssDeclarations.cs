using System.Text;
using System.Text.RegularExpressions;

namespace Publisher.Templates.Html;

/// <summary>
/// Checks inline CSS (a <c>style</c> attribute) and the layouts' style sheets by an allow-list of properties
/// and a strict value syntax, and keeps what passes exactly as written. HtmlSanitizer's own CSS step rewrites
/// every colour as <c>rgba(…)</c>, which Outlook and other email clients ignore, so styles are checked here
/// instead. No value may load anything (<c>url()</c>, <c>image()</c>, <c>@import</c>), run anything
/// (<c>expression()</c>, <c>behavior</c>), hide escapes (<c>\</c>, comments) or break out of the attribute.
/// </summary>
internal static partial class CssDeclarations
{
    private static readonly HashSet<string> AllowedProperties = new(StringComparer.OrdinalIgnoreCase)
    {
        "color", "background", "background-color", "opacity",
        "font", "font-family", "font-size", "font-style", "font-weight", "font-variant", "line-height", "letter-spacing", "word-spacing",
        "text-align", "text-decoration", "text-transform", "text-indent", "vertical-align", "white-space", "word-break", "overflow-wrap", "word-wrap",
        "margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
        "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
        "border", "border-top", "border-right", "border-bottom", "border-left", "border-color", "border-style", "border-width", "border-radius",
        "border-collapse", "border-spacing",
        "width", "height", "max-width", "min-width", "max-height", "min-height",
        "display", "overflow", "float", "clear", "box-sizing", "table-layout", "list-style", "list-style-type", "list-style-position",
        // The blog layout's flexible header and footer, and phones that must not enlarge its text on their own.
        "flex", "flex-direction", "flex-wrap", "align-items", "justify-content", "gap", "-webkit-text-size-adjust", "text-size-adjust",
    };

    // Words, numbers with units, #colours, quoted font names, commas, slashes and the few functions colours and sizes need.
    [GeneratedRegex(@"^(?:[\sA-Za-z0-9#%.,+\-/!]|'[^'\\<>]*'|""[^""\\<>]*""|(?:rgb|rgba|hsl|hsla|calc)\([\sA-Za-z0-9%.,+\-/*]*\))*$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex SafeValue();

    [GeneratedRegex(@"^-?[A-Za-z][A-Za-z\-]*$", RegexOptions.CultureInvariant, 100)]
    private static partial Regex PropertyName();

    // Selectors of the layouts: element names, classes, ids, combinators, commas, pseudo-classes such as :not(.logo).
    [GeneratedRegex(@"^[\sA-Za-z0-9.#,>_\-:*()]+$", RegexOptions.CultureInvariant, 100)]
    private static partial Regex SafeSelector();

    // A media query's condition, such as "screen and (max-width: 600px)": media types, and/or/not/only, and
    // features with a number or a keyword; nothing that looks like a function.
    [GeneratedRegex(@"^@media(?:\s+(?:and|or|not|only|all|screen|print)|\s*,|\s+\(\s*[a-z\-]+\s*:\s*(?:[0-9.]+(?:px|em|rem)?|[a-z\-]+)\s*\))+\s*$", RegexOptions.CultureInvariant, 100)]
    private static partial Regex SafeMediaQuery();

    /// <summary>
    /// The declarations of <paramref name="style"/> that pass, joined; exactly <paramref name="style"/> when all pass.
    /// Each one dropped is added to <paramref name="removed"/>.
    /// </summary>
    public static string Check(string style, List<string> removed)
    {
        var kept = new StringBuilder();
        var dropped = false;
        foreach (var declaration in Split(style, ';'))
        {
            if (declaration.Trim().Length == 0)
                continue;
            if (IsAllowed(declaration))
            {
                if (kept.Length > 0) kept.Append(';');
                kept.Append(declaration.Trim());
            }
            else
            {
                dropped = true;
                removed.Add($"the style \"{Shorten(declaration.Trim())}\"");
            }
        }
        return dropped ? kept.ToString() : style;
    }

    /// <summary>
    /// Checks a style sheet of plain rules (<c>selector { declarations }</c>, and <c>@media</c> blocks of them; no other at-rules): the sheet when every
    /// rule passes, otherwise the rules that pass. Each rule or declaration dropped is added to <paramref name="removed"/>.
    /// </summary>
    public static string CheckSheet(string sheet, List<string> removed)
    {
        var kept = new StringBuilder();
        var dropped = false;
        var at = 0;
        while (at < sheet.Length)
        {
            var open = sheet.IndexOf('{', at);
            var close = open < 0 ? -1 : sheet.IndexOf('}', open);
            if (open < 0 || close < 0)
            {
                if (sheet[at..].Trim().Length > 0)
                {
                    dropped = true;
                    removed.Add($"the style rule \"{Shorten(sheet[at..].Trim())}\"");
                }
                break;
            }
            var selector = sheet[at..open];
            if (selector.TrimStart().StartsWith('@'))
            {
                // A media query holds rules of its own: checked by the same rules, kept only with a plain condition.
                var end = MatchingBrace(sheet, open);
                if (end < 0 || !SafeMediaQuery().IsMatch(selector.Trim()))
                {
                    dropped = true;
                    removed.Add($"the style rule \"{Shorten(selector.Trim())}\"");
                }
                else
                {
                    var before = removed.Count;
                    var inner = CheckSheet(sheet[(open + 1)..end], removed);
                    dropped |= removed.Count > before;
                    kept.Append(selector.Trim()).Append(" {\n").Append(inner).Append("}\n");
                }
                if (end < 0)
                    break;
                at = end + 1;
                continue;
            }
            var body = sheet[(open + 1)..close];
            if (!SafeSelector().IsMatch(selector) || body.Contains('{'))
            {
                dropped = true;
                removed.Add($"the style rule \"{Shorten(selector.Trim())}\"");
            }
            else
            {
                var before = removed.Count;
                var checkedBody = Check(body, removed);
                dropped |= removed.Count > before;
                kept.Append(selector.Trim()).Append(" { ").Append(checkedBody.Trim()).Append(" }\n");
            }
            at = close + 1;
        }
        return dropped ? kept.ToString() : sheet;
    }

    // The index of the brace that closes the one at <paramref name="open"/>, or -1.
    private static int MatchingBrace(string sheet, int open)
    {
        var depth = 0;
        for (var i = open; i < sheet.Length; i++)
        {
            if (sheet[i] == '{') depth++;
            else if (sheet[i] == '}' && --depth == 0) return i;
        }
        return -1;
    }

    private static bool IsAllowed(string declaration)
    {
        var colon = declaration.IndexOf(':');
        if (colon <= 0)
            return false;
        var name = declaration[..colon].Trim();
        var value = declaration[(colon + 1)..].Trim();
        if (!PropertyName().IsMatch(name) || !AllowedProperties.Contains(name) || value.Length == 0 || value.Length > 500)
            return false;
        return SafeValue().IsMatch(value);
    }

    // Splits on the separator outside quotes and parentheses.
    private static IEnumerable<string> Split(string text, char separator)
    {
        var start = 0;
        var depth = 0;
        var quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
            }
            else if (c is '\'' or '"') quote = c;
            else if (c == '(') depth++;
            else if (c == ')') depth = Math.Max(0, depth - 1);
            else if (c == separator && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
