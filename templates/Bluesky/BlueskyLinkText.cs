using System.Globalization;
using System.Text;

namespace Publisher.Templates.Bluesky;

/// <summary>
/// The short form Bluesky's app gives a link's text before posting: the text read as a URL (as a browser's
/// <c>URL</c> parser reads it: host in lower case and punycode, default port dropped, path, query and fragment
/// percent-encoded, dot segments resolved), then host (and port) followed by path, query and fragment, the
/// latter cut to their first 13 characters and "..." when longer than 15. Text that is not an http(s) URL
/// stays as it is (a link written without scheme, for one).
/// </summary>
public static class BlueskyLinkText
{
    /// <summary>Path, query and fragment longer than this are cut.</summary>
    public const int MaxRestLength = 15;

    /// <summary>How many characters of a cut path, query and fragment are kept before "...".</summary>
    public const int KeptRestLength = 13;

    private static readonly IdnMapping Idn = new() { AllowUnassigned = true, UseStd3AsciiRules = false };

    /// <summary>The text the app shows for a link written as <paramref name="linkText"/>.</summary>
    public static string ShortForm(string linkText)
    {
        if (Parse(linkText) is not { } url) return linkText;
        var rest = (url.Path == "/" ? "" : url.Path) + url.Query + url.Fragment;
        return url.Host + (rest.Length > MaxRestLength ? rest[..KeptRestLength] + "..." : rest);
    }

    private sealed record ParsedUrl(string Host, string Path, string Query, string Fragment);

    // The parts of the URL standard's parser an http(s) link in a post can reach; null where it fails.
    private static ParsedUrl? Parse(string text)
    {
        int schemeLength;
        bool https;
        if (text.StartsWith("http:", StringComparison.OrdinalIgnoreCase)) { schemeLength = 5; https = false; }
        else if (text.StartsWith("https:", StringComparison.OrdinalIgnoreCase)) { schemeLength = 6; https = true; }
        else return null;

        var i = schemeLength;
        while (i < text.Length && text[i] is '/' or '\\') i++;
        var authorityEnd = i;
        while (authorityEnd < text.Length && text[authorityEnd] is not ('/' or '\\' or '?' or '#')) authorityEnd++;
        var authority = text[i..authorityEnd];
        var at = authority.LastIndexOf('@');
        if (at >= 0) authority = authority[(at + 1)..];
        if (authority.Length == 0 || authority[0] == '[') return null;

        var colon = authority.IndexOf(':');
        var hostText = colon < 0 ? authority : authority[..colon];
        var port = "";
        if (colon >= 0)
        {
            var digits = authority[(colon + 1)..];
            if (digits.Any(c => c is < '0' or > '9')) return null;
            if (digits.Length > 0)
            {
                var trimmed = digits.TrimStart('0');
                if (trimmed.Length > 5 || (trimmed.Length > 0 && int.Parse(trimmed, CultureInfo.InvariantCulture) > 65535)) return null;
                var value = trimmed.Length == 0 ? 0 : int.Parse(trimmed, CultureInfo.InvariantCulture);
                if (value != (https ? 443 : 80)) port = ":" + value.ToString(CultureInfo.InvariantCulture);
            }
        }
        if (Host(hostText) is not { } host) return null;

        var rest = text[authorityEnd..];
        var hashAt = rest.IndexOf('#');
        var fragment = hashAt >= 0 ? rest[(hashAt + 1)..] : null;
        if (hashAt >= 0) rest = rest[..hashAt];
        var questionAt = rest.IndexOf('?');
        var query = questionAt >= 0 ? rest[(questionAt + 1)..] : null;
        if (questionAt >= 0) rest = rest[..questionAt];

        return new ParsedUrl(
            host + port,
            Path(rest),
            string.IsNullOrEmpty(query) ? "" : "?" + Encode(query, QueryEncoded),
            string.IsNullOrEmpty(fragment) ? "" : "#" + Encode(fragment, FragmentEncoded));
    }

    private static string? Host(string text)
    {
        var decoded = PercentDecode(text);
        // Ideographic and fullwidth full stops separate labels as "." does.
        decoded = decoded.Replace('\u3002', '.').Replace('\uFF0E', '.').Replace('\uFF61', '.');
        var labels = decoded.Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label.Length == 0) continue;
            if (label.All(c => c < 0x80))
            {
                labels[i] = label.ToLowerInvariant();
                continue;
            }
            try
            {
                labels[i] = Idn.GetAscii(label);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }
        var host = string.Join('.', labels);
        if (host.Length == 0) return null;
        foreach (var c in host)
        {
            if (c <= 0x20 || c == 0x7F || c is '#' or '%' or '/' or ':' or '<' or '>' or '?' or '@' or '[' or '\\' or ']' or '^' or '|') return null;
        }
        return EndsInANumber(labels) ? Ipv4(labels) : host;
    }

    private static bool EndsInANumber(string[] labels)
    {
        var parts = labels.ToList();
        if (parts.Count > 1 && parts[^1].Length == 0) parts.RemoveAt(parts.Count - 1);
        var last = parts[^1];
        if (last.Length > 0 && last.All(char.IsAsciiDigit)) return true;
        return last.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && last[2..].All(char.IsAsciiHexDigit);
    }

    // The URL standard's IPv4 parser: up to four parts, each decimal, octal (leading 0) or hex (0x).
    private static string? Ipv4(string[] labels)
    {
        var parts = labels.ToList();
        if (parts.Count > 1 && parts[^1].Length == 0) parts.RemoveAt(parts.Count - 1);
        if (parts.Count > 4) return null;
        var numbers = new List<long>();
        foreach (var part in parts)
        {
            if (part.Length == 0) return null;
            var (digits, radix) = part.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? (part[2..], 16)
                : part.Length > 1 && part[0] == '0' ? (part[1..], 8) : (part, 10);
            long value = 0;
            foreach (var c in digits)
            {
                var d = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiHexDigit(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
                if (d >= radix) return null;
                value = value * radix + d;
                if (value > uint.MaxValue) return null;
            }
            numbers.Add(value);
        }
        if (numbers.Take(numbers.Count - 1).Any(n => n > 255) || numbers[^1] >= (long)Math.Pow(256, 5 - numbers.Count)) return null;
        long address = numbers[^1];
        for (var i = 0; i < numbers.Count - 1; i++) address += numbers[i] << (8 * (3 - i));
        return string.Join('.', Enumerable.Range(0, 4).Select(i => ((address >> (8 * (3 - i))) & 255).ToString(CultureInfo.InvariantCulture)));
    }

    private static string Path(string text)
    {
        var segments = new List<string>();
        if (text.Length == 0) return "/";
        var pieces = text.Split('/', '\\');
        // pieces[0] is empty: the path starts with a slash.
        for (var i = 1; i < pieces.Length; i++)
        {
            var piece = pieces[i];
            var isLast = i == pieces.Length - 1;
            var lower = piece.ToLowerInvariant();
            if (lower is ".." or ".%2e" or "%2e." or "%2e%2e")
            {
                if (segments.Count > 0) segments.RemoveAt(segments.Count - 1);
                if (isLast) segments.Add("");
            }
            else if (lower is "." or "%2e")
            {
                if (isLast) segments.Add("");
            }
            else
            {
                segments.Add(Encode(piece, PathEncoded));
            }
        }
        return "/" + string.Join('/', segments);
    }

    private static bool QueryEncoded(char c) => c is ' ' or '"' or '#' or '<' or '>' or '\'';
    private static bool FragmentEncoded(char c) => c is ' ' or '"' or '<' or '>' or '`';
    private static bool PathEncoded(char c) => c is ' ' or '"' or '#' or '<' or '>' or '?' or '`' or '{' or '}';

    // Controls and everything past ASCII become %XX of their UTF-8 bytes (a lone surrogate as U+FFFD).
    private static string Encode(string text, Func<char, bool> alsoEncoded)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is > (char)0x20 and < (char)0x7F && !alsoEncoded(c))
            {
                result.Append(c);
                continue;
            }
            var length = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            var piece = length == 2 ? text.Substring(i, 2) : char.IsSurrogate(c) ? "\uFFFD" : c.ToString();
            foreach (var b in Encoding.UTF8.GetBytes(piece)) result.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            i += length - 1;
        }
        return result.ToString();
    }

    private static string PercentDecode(string text)
    {
        if (!text.Contains('%')) return text;
        var bytes = new List<byte>();
        var utf8 = Encoding.UTF8.GetBytes(text);
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == '%' && i + 2 < utf8.Length && IsHex(utf8[i + 1]) && IsHex(utf8[i + 2]))
            {
                bytes.Add(Convert.ToByte(Encoding.ASCII.GetString(utf8, i + 1, 2), 16));
                i += 2;
            }
            else bytes.Add(utf8[i]);
        }
        return Encoding.UTF8.GetString(bytes.ToArray());

        static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);
    }
}
