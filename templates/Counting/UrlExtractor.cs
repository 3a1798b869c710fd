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
/// Finds URLs in post text the way twitter-text does: with or without protocol, hosts ending in a
/// known top-level domain (the IANA list that twitter-text ships), balanced parentheses in paths,
/// trailing punctuation left out, hosts whose punycode labels exceed 63 characters rejected, and
/// t.co links cut after their slug. X, Mastodon and Bluesky counting and Bluesky link facets use it.
/// </summary>
public static class UrlExtractor
{
    private const int MaxUrlLength = 4096;
    private const int MaxTcoSlugLength = 40;

    // Character classes, named after what they are for.
    private const string LatinAccents =
        @"\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff";
    private const string Cyrillic = @"\u0400-\u04ff";
    private const string DirectionalMarks = @"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069";
    private const string InvalidChars = @"\ufffe\ufeff\uffff";
    private const string Punctuation = @"\-_!""#$%&'()*+,./:;<=>?@\[\]^`{|}~";

    // Linear in practice (see Candidates); the timeout is a backstop against inputs nobody has thought of.
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private static readonly Lazy<Regex> ValidUrl = new(BuildValidUrlRegex, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Regex TcoUrl = new(
        @"^https?://t\.co/([a-z0-9]+)(?:\?[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@]*[a-z0-9\-_&=#/])?",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly Regex InvalidBeforeUrlWithoutProtocol = new(@"[-_./]$", RegexOptions.CultureInvariant);

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
            if (!protocol.Success)
            {
                if (requireProtocol || InvalidBeforeUrlWithoutProtocol.IsMatch(match.Groups["before"].Value)) continue;
            }
            var urlGroup = match.Groups["url"];
            var url = urlGroup.Value;
            var start = urlGroup.Index;
            var end = start + urlGroup.Length;
            if (!IsValidHostAndLength(url.Length, protocol.Success, match.Groups["domain"].Value)) continue;

            var tco = TcoUrl.Match(url);
            if (tco.Success)
            {
                // A t.co link is only ever the slug (and an optional query); anything after is text.
                if (tco.Groups[1].Length > MaxTcoSlugLength) continue;
                url = tco.Value;
                end = start + url.Length;
            }
            (urls ??= []).Add(new ExtractedUrl(start, end, url, protocol.Success));
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
            while (start > searchFrom && !char.IsWhiteSpace(text[start - 1])) start--;
            var regionStart = start > 0 ? start - 1 : 0;
            var end = dot;
            while (end < text.Length && !char.IsWhiteSpace(text[end])) end++;
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

    private static bool IsValidHostAndLength(int urlLength, bool hasProtocol, string host)
    {
        var ascii = Punycode.HostToAscii(host);
        if (ascii is null) return false;
        var lengthWithPunycode = urlLength + ascii.Length - host.Length;
        var lengthWithProtocol = lengthWithPunycode + (hasProtocol ? 0 : "https://".Length);
        return lengthWithProtocol <= MaxUrlLength;
    }

    private static Regex BuildValidUrlRegex()
    {
        var generic = ReadTldList("tlds.generic.txt");
        var country = ReadTldList("tlds.country.txt");
        // A top-level domain must not run on into more host characters ("domain.com-that" is no URL).
        const string tldEnd = @"(?=[^a-z0-9@+\-]|$)";
        var gtld = $"(?:(?:{generic}){tldEnd})";
        var cctld = $"(?:(?:{country}){tldEnd})";
        const string punycodeTld = @"(?:xn--[\-0-9a-z]+)";

        const string hostChar = "[a-z0-9" + LatinAccents + "]";
        const string subdomain = "(?>(?:" + hostChar + "[" + "a-z0-9" + LatinAccents + @"\-_]{0,255})?" + hostChar + @"\.)";
        const string domainName = "(?:(?:" + hostChar + "[a-z0-9" + LatinAccents + @"\-]{0,255})?" + hostChar + @"\.)";
        const string unicodeChar = "[^" + Punctuation + @"\s\p{Z}\p{IsGeneralPunctuation}]";
        const string unicodeDomainName = "(?:(?:" + unicodeChar + "(?:" + unicodeChar + @"|\-){0,255})?" + unicodeChar + @"\.)";

        var domain =
            // A host has at most 127 labels; the bound also keeps backtracking over labels short.
            $"(?:{subdomain}{{0,125}}{domainName}(?:{gtld}|{cctld}|{punycodeTld}))" +
            // Only after an explicit protocol may the host use any script and a gTLD without a path.
            $"|(?:(?<=https?://)(?:(?:{domainName}{cctld})|(?:{unicodeDomainName}(?:{gtld}|{cctld}))))" +
            $"|(?:{domainName}{cctld}(?=/))";

        const string pathChar = @"[a-z0-9!*';:=+,.$/%#\[\]\-\u2013_~|&@" + LatinAccents + Cyrillic + "]";
        const string balancedParens = @"\((?:" + pathChar + "+|(?:" + pathChar + @"*\(" + pathChar + @"+\)" + pathChar + @"*))\)";
        const string pathEnd = @"[a-z0-9=_#/\-+" + LatinAccents + Cyrillic + "]|(?:" + balancedParens + ")";
        const string path = "(?:(?:" + pathChar + "*(?:" + balancedParens + pathChar + "*)*(?:" + pathEnd + "))|(?:@" + pathChar + "+/))";
        const string queryChar = @"[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@]";
        const string queryEnd = @"[a-z0-9\-_&=#/]";

        var pattern = new StringBuilder()
            .Append("(?<before>(?:[^a-z0-9@\uFF20$#\uFF03").Append(InvalidChars).Append("]|[").Append(DirectionalMarks).Append("]|^))")
            .Append("(?<url>")
            // Without a protocol, a URL right after - _ . or / is never extracted (twitter-text drops such
            // matches); refusing them here, rather than after matching, keeps "a.b.c.d…" from being tried
            // at every dot.
            .Append("(?:(?<protocol>https?://)|(?<![-_./]))")
            .Append("(?<domain>").Append(domain).Append(')')
            .Append("(?::(?>[0-9]+))?")
            .Append("(?:/(?>").Append(path).Append("*))?")
            .Append(@"(?:\?").Append(queryChar).Append('*').Append(queryEnd).Append(")?")
            .Append(')')
            .ToString();
        // Interpreted on purpose: compiled, this very large pattern becomes one huge method the JIT does
        // not optimize, which measured several times slower (and costs a second of start-up).
        return new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, MatchTimeout);
    }

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
