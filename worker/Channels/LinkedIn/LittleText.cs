using System.Text;
using System.Text.RegularExpressions;

namespace Publisher.Worker.Channels.LinkedIn;

/// <summary>
/// LinkedIn's "little" text format for post commentary. The characters <c>\ | { } @ [ ] ( ) &lt; &gt; # * _ ~</c> are
/// markup; unescaped, LinkedIn accepts the post and silently cuts it at the first one. So plain text is escaped
/// with a backslash, except hashtags (<c>#word</c>, which little shows as clickable tags) and URLs (left whole so
/// LinkedIn links them).
/// </summary>
public static partial class LittleText
{
    private const string Reserved = "\\|{}@[]()<>#*_~";

    public static string Escape(string text)
    {
        var result = new StringBuilder(text.Length + 16);
        var position = 0;
        foreach (Match url in Url().Matches(text))
        {
            EscapePlain(text.AsSpan(position, url.Index - position), result, atWordStart: position == 0 || char.IsWhiteSpace(text[position - 1]));
            result.Append(url.Value);
            position = url.Index + url.Length;
        }
        EscapePlain(text.AsSpan(position), result, atWordStart: position == 0 || char.IsWhiteSpace(text[position - 1]));
        return result.ToString();
    }

    private static void EscapePlain(ReadOnlySpan<char> text, StringBuilder result, bool atWordStart)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var startsWord = i == 0 ? atWordStart : char.IsWhiteSpace(text[i - 1]);
            var isHashtag = c == '#' && startsWord && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]);
            if (Reserved.Contains(c) && !isHashtag) result.Append('\\');
            result.Append(c);
        }
    }

    [GeneratedRegex(@"https?://[^\s<>""]+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();
}
