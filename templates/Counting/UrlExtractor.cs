using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Publisher.Templates.Counting;

/// <summary>A URL found in text: its UTF-16 start (inclusive) and end (exclusive) and its text.</summary>
/// <param name="Start">Index of the first UTF-16 code unit of the URL.</param>
/// <param name="End">Index just past the last UTF-16 code unit of the URL.</param>
/// <param name="Url">The URL as written.</param>
/// <param name="HasProtocol">Whether the URL was written with <c>http://</c> or <c>https://</c>.</param>
public sealed record ExtractedUrl(int Start, int End, string Url, bool HasProtocol);

/// <summary>
/// Finds URLs in post text exactly as twitter-text 3.1.0's <c>extractUrlsWithIndices</c> does: a host of
/// labels in any script ending in a known top-level domain (the IANA list twitter-text ships), with or
/// without protocol; balanced parentheses in paths; trailing punctuation left out; t.co links cut after
/// their slug. Without a protocol only the ASCII (and Latin-accented) part of a host is a link, the
/// port and a query without a path are left out, and nothing right after <c>- _ . /</c> is one.
/// X counting and entities and Mastodon counting use it.
/// </summary>
public static class UrlExtractor
{
    private const int MaxUrlLength = 4096;
    private const int MaxTcoSlugLength = 40;
    private const int MaxLabelLength = 63;

    // twitter-text's character classes, named after what they are for. Its punctuation list has no " and no `,
    // so those count as host characters, as they do for twitter-text.
    private const string LatinAccents =
        @"\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff";
    private const string Cyrillic = @"\u0400-\u04ff";
    private const string DirectionalMarks = @"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069";
    private const string InvalidChars = @"\ufffe\ufeff\uffff";
    private const string Spaces = @"\u0009-\u000d\u0020\u0085\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
    private const string PunctuationExceptHyphens = @"!'#%&()*+,./:;<=>?@\[\]^{|}~$\\";

    // Linear in practice (see Candidates); the timeout is a backstop against inputs nobody has thought of.
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private static readonly Lazy<Regex> ValidUrl = new(BuildValidUrlRegex, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<Regex> ValidAsciiDomain = new(BuildValidAsciiDomainRegex, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Regex TcoUrl = new(
        @"^https?://t\.co/([a-z0-9]+)(?:\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9\-_&=#/])?",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>Builds (once) the URL pattern; calling it early moves that cost out of the first render.</summary>
    public static void Warm()
    {
        if (_warm) return;
        // The first match JIT-compiles the (large) pattern; do it here rather than inside a timed render.
        _ = Extract("warm up https://example.com/path?q=1 example.org");
        _ = XWeightedLength.Count("warm up 👩‍👩‍👧 https://example.com");
        _warm = true;
    }

    private static volatile bool _warm;

    /// <summary>
    /// Extracts the URLs in <paramref name="text"/>, in order. URLs without a protocol
    /// (<c>example.com/path</c>) are included unless <paramref name="requireProtocol"/> is true.
    /// </summary>
    public static IReadOnlyList<ExtractedUrl> Extract(string text, bool requireProtocol = false)
    {
        if (string.IsNullOrEmpty(text) || text.IndexOf(requireProtocol ? ':' : '.') < 0) return [];
        List<ExtractedUrl>? urls = null;
        foreach (var match in Candidates(text))
        {
            var protocol = match.Groups["protocol"];
            var urlGroup = match.Groups["url"];
            var domainGroup = match.Groups["domain"];
            var url = urlGroup.Value;
            var domain = domainGroup.Value;
            var start = urlGroup.Index;
            var end = start + urlGroup.Length;
            if (!IsValidUrl(url, protocol.Success ? protocol.Length : "https://".Length, domain)) continue;

            if (!protocol.Success)
            {
                if (requireProtocol || match.Groups["before"].Value is [.., '-' or '_' or '.' or '/']) continue;
                // Without a protocol only the ASCII parts of the host are links, each one on its own; the last
                // one takes the path, and a port or query without a path is left out (as twitter-text does).
                ExtractedUrl? last = null;
                var asciiEnd = 0;
                for (var ascii = ValidAsciiDomain.Value.Match(domain); ascii.Success; ascii = ascii.NextMatch())
                {
                    var asciiStart = domain.IndexOf(ascii.Value, asciiEnd, StringComparison.Ordinal);
                    asciiEnd = asciiStart + ascii.Length;
                    if (last is not null) (urls ??= []).Add(last);
                    last = new ExtractedUrl(start + asciiStart, start + asciiEnd, ascii.Value, false);
                }
                if (last is null) continue;
                if (match.Groups["path"].Success)
                {
                    // Written without protocol, the URL starts with its domain.
                    last = last with { End = end, Url = last.Url + url[domain.Length..] };
                }
                (urls ??= []).Add(last);
                continue;
            }

            var tco = TcoUrl.Match(url);
            if (tco.Success)
            {
                // A t.co link is only ever the slug (and an optional query); anything after is text.
                if (tco.Groups[1].Length > MaxTcoSlugLength) continue;
                url = tco.Value;
                end = start + url.Length;
            }
            (urls ??= []).Add(new ExtractedUrl(start, end, url, true));
        }
        return (IReadOnlyList<ExtractedUrl>?)urls ?? [];
    }

    // The pattern is costly to try at every word, and a URL never contains whitespace but always a dot:
    // so it runs only on the whitespace-separated tokens holding a dot (with the whitespace before each,
    // which the pattern needs to see as the character preceding a URL). Results are the same as
    // matching the whole text, at a fraction of the cost.
    private static IEnumerable<Match> Candidates(string text)
    {
        var regex = ValidUrl.Value;
        var searchFrom = 0;
        while (searchFrom < text.Length)
        {
            var dot = text.IndexOf('.', searchFrom);
            if (dot < 0) yield break;
            var start = dot;
            while (start > searchFrom && !IsSpace(text[start - 1])) start--;
            var regionStart = start > 0 ? start - 1 : 0;
            var end = dot;
            while (end < text.Length && !IsSpace(text[end])) end++;
            // Every top-level domain starts with a letter: a token whose dots are all followed by something
            // else ("end.", "3.0", "etc.)") holds no URL, and most sentence ends are such tokens.
            if (!HasDotBeforeLetter(text, dot, end))
            {
                searchFrom = end;
                continue;
            }
            var match = NextOrNull(() => regex.Match(text, regionStart, end - regionStart));
            while (match is { Success: true })
            {
                yield return match;
                var previous = match;
                match = NextOrNull(() => previous.NextMatch());
            }
            searchFrom = end;
        }
    }

    // twitter-text's spaces: no URL part holds one, so they separate the candidate tokens.
    private static bool IsSpace(char c) => c is >= '\u0009' and <= '\u000d' or ' ' or '\u0085' or '\u00a0' or '\u1680' or '\u180e'
        or >= '\u2000' and <= '\u200a' or '\u2028' or '\u2029' or '\u202f' or '\u205f' or '\u3000';

    private static bool HasDotBeforeLetter(string text, int from, int end)
    {
        for (var i = from; i + 1 < end; i++)
        {
            if (text[i] == '.' && char.IsLetter(text[i + 1])) return true;
        }
        return false;
    }

    // A token so contrived that matching it runs out of time holds no URL as far as counting is concerned.
    private static Match? NextOrNull(Func<Match> next)
    {
        try
        {
            return next();
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }

    // twitter-text's check: every label of the host, punycode-encoded as written, is 1 to 63 characters, and the
    // URL with its protocol is at most 4,096 characters (its host counted as written).
    private static bool IsValidUrl(string url, int protocolLength, string domain)
    {
        if (domain.StartsWith("xn--", StringComparison.Ordinal) && !ValidAsciiDomain.Value.IsMatch(domain)) return false;
        foreach (var label in domain.Split('.'))
        {
            var length = Punycode.EncodedLabelLength(label);
            if (length is < 1 or > MaxLabelLength) return false;
        }
        return protocolLength + url.Length <= MaxUrlLength;
    }

    private static (string Generic, string Country) Tlds()
    {
        var generic = ReadTldList("tlds.generic.txt");
        var country = ReadTldList("tlds.country.txt");
        return (generic, country);
    }

    private static string TopLevelDomain()
    {
        var (generic, country) = Tlds();
        // A top-level domain must not run on into more host characters ("domain.com-that" is no URL).
        const string tldEnd = @"(?=[^0-9a-z@+\-]|\z)";
        return $@"(?:(?:{generic}){tldEnd}|(?:{country}){tldEnd}|(?:xn--[\-0-9a-z]+))";
    }

    private static Regex BuildValidUrlRegex()
    {
        // Any character that is not punctuation, a space, invalid or a directional mark may be part of a host.
        const string notHost = PunctuationExceptHyphens + Spaces + InvalidChars + DirectionalMarks;
        const string hostChar = "[^" + notHost + @"\-_]";
        // Atomic: a label ends at its dot, so giving back characters can never help.
        const string subdomain = "(?>(?:" + hostChar + "[^" + notHost + "]*)?" + hostChar + @"\.)";
        const string domainName = "(?>(?:" + hostChar + "[^" + notHost + "_]*)?" + hostChar + @"\.)";
        var domain = $"(?:{subdomain}*{domainName}{TopLevelDomain()})";

        const string pathChar = @"[a-z" + Cyrillic + @"0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&" + LatinAccents + "]";
        const string balancedParens = @"\((?:" + pathChar + "+|(?:" + pathChar + @"*\(" + pathChar + @"+\)" + pathChar + @"*))\)";
        const string pathEnd = @"(?:[+\-a-z" + Cyrillic + "0-9=_#/" + LatinAccents + "]|(?:" + balancedParens + "))";
        const string path = "(?:(?:" + pathChar + "*(?:" + balancedParens + pathChar + "*)*" + pathEnd + ")|(?:@" + pathChar + "+/))";
        const string queryChar = @"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]";
        const string queryEnd = @"[a-z0-9\-_&=#/]";

        var pattern = new StringBuilder()
            .Append("(?<before>[^A-Za-z0-9@\uFF20$#\uFF03").Append(InvalidChars).Append("]|[").Append(DirectionalMarks).Append("]|^)")
            .Append("(?<url>")
            .Append("(?<protocol>https?://)?")
            .Append("(?<domain>").Append(domain).Append(')')
            .Append("(?::(?>[0-9]+))?")
            .Append("(?<path>/(?>").Append(path).Append("*))?")
            .Append(@"(?:\?").Append(queryChar).Append('*').Append(queryEnd).Append(")?")
            .Append(')')
            .ToString();
        // Interpreted on purpose: compiled, this very large pattern becomes one huge method the JIT does
        // not optimize, which measured several times slower (and costs a second of start-up).
        return new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, MatchTimeout);
    }

    // The ASCII (and Latin-accented) hosts within a host, which are all a URL without protocol may link.
    private static Regex BuildValidAsciiDomainRegex() =>
        new($"(?:(?:[\\-a-z0-9{LatinAccents}]+)\\.)+{TopLevelDomain()}",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout);

    private static string ReadTldList(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Publisher.Templates.Counting.{name}")
            ?? throw new InvalidOperationException($"The embedded TLD list {name} is missing from the build.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var tlds = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return Trie(tlds.Select(t => t.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList());
    }

    // The TLDs as a prefix tree ("c(?:o(?:m|op|)|a|…)") rather than a flat list of 1,500 alternatives, so
    // matching a TLD costs a few character tests instead of one test per TLD. Where one TLD extends
    // another ("com" and "co") the longer comes first, as in the flat list, and the TLD's lookahead
    // sends the match back to the shorter one when the longer does not end there.
    private static string Trie(IReadOnlyList<string> words)
    {
        var branches = words.Where(w => w.Length > 0)
            .GroupBy(w => w[0])
            .OrderBy(g => g.Key)
            .Select(g => Regex.Escape(g.Key.ToString()) + Group(Trie(g.Select(w => w[1..]).ToList())))
            .ToList();
        if (words.Any(w => w.Length == 0)) branches.Add("");
        return branches.Count == 1 ? branches[0] : string.Join('|', branches);

        static string Group(string inner) => inner.Length == 0 ? "" : inner.Contains('|') ? $"(?:{inner})" : inner;
    }
}
