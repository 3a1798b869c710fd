using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Publisher.Templates.Bluesky;

/// <summary>A facet found in text, by UTF-16 range; <see cref="BlueskyFacets"/> moves it while links are shortened.</summary>
internal sealed class DetectedFacet(BlueskyFacetKind kind, int start, int end, string value)
{
    public BlueskyFacetKind Kind { get; } = kind;
    public int Start { get; set; } = start;
    public int End { get; set; } = end;
    public string Value { get; set; } = value;
}

/// <summary>
/// Finds facets by the rules of <c>@atproto/api</c>'s <c>RichText.detectFacets</c> (the library Bluesky's
/// app posts with), which differ from X's:
/// <list type="bullet">
/// <item>a mention is <c>@</c> after the start, whitespace or <c>(</c>, then a handle of ASCII letters, digits,
/// dots and hyphens up to an ASCII word boundary, ending in a real top-level domain (or <c>.test</c>);</item>
/// <item>a link starts at the start, after whitespace or after <c>(</c>, and is either <c>http(s)://</c> and
/// everything to the next whitespace, or an ASCII domain ending in a real top-level domain and everything to
/// the next whitespace; then one of <c>. , ; : ! ?</c> and an unmatched <c>)</c> are trimmed;</item>
/// <item>a tag is <c>#</c> or <c>＃</c> after the start or whitespace, then everything up to whitespace or a
/// zero-width character, holding one character that is neither a digit nor punctuation; trailing
/// punctuation is trimmed and at most 64 UTF-16 units are kept;</item>
/// <item>a cashtag (<c>$TWTR</c>) is a tag facet with its <c>$</c>, the ticker in capitals.</item>
/// </list>
/// Whitespace is JavaScript's <c>\s</c> and word characters are ASCII, as in the library.
/// </summary>
public static partial class BlueskyRichText
{
    private static readonly Lazy<HashSet<string>> TopLevelDomains = new(ReadTopLevelDomains);

    /// <summary>The top-level domains a link's or handle's domain must end in (the list RichText checks against).</summary>
    public static IReadOnlyCollection<string> TopLevelDomainList => TopLevelDomains.Value;

    /// <summary>Whether <paramref name="domain"/> ends in "." and a top-level domain on the list, compared exactly (the list is lower case).</summary>
    public static bool IsValidDomain(string domain)
    {
        var dot = domain.LastIndexOf('.');
        // A TLD holds no dot, so the only candidate is what follows the last one.
        return dot >= 0 && TopLevelDomains.Value.Contains(domain[(dot + 1)..]);
    }

    /// <summary>The facets of <paramref name="text"/> by UTF-16 range, ordered by start (mentions, links, tags, cashtags at equal starts).</summary>
    internal static List<DetectedFacet> Detect(string text)
    {
        var facets = new List<DetectedFacet>();
        foreach (Match m in Mention().Matches(text))
        {
            var handle = m.Groups["handle"].Value;
            if (!IsValidDomain(handle) && !handle.EndsWith(".test", StringComparison.Ordinal)) continue;
            var at = m.Groups["handle"].Index - 1;
            facets.Add(new DetectedFacet(BlueskyFacetKind.Mention, at, at + handle.Length + 1, handle));
        }
        foreach (Match m in Link().Matches(text))
        {
            var url = m.Groups["url"];
            var uri = url.Value;
            if (!uri.StartsWith("http", StringComparison.Ordinal))
            {
                // Written as "HTTPS://…" it matched as a URL with a scheme, so it has no domain to check: no link.
                var domain = m.Groups["domain"];
                if (!domain.Success || !IsValidDomain(domain.Value)) continue;
                uri = "https://" + uri;
            }
            var start = url.Index;
            var end = start + url.Length;
            if (uri[^1] is '.' or ',' or ';' or ':' or '!' or '?')
            {
                uri = uri[..^1];
                end--;
            }
            if (uri[^1] == ')' && !uri.Contains('('))
            {
                uri = uri[..^1];
                end--;
            }
            facets.Add(new DetectedFacet(BlueskyFacetKind.Link, start, end, uri));
        }
        Tags(text, facets);
        foreach (Match m in Cashtag().Matches(text))
        {
            var ticker = m.Groups["ticker"];
            facets.Add(new DetectedFacet(BlueskyFacetKind.Tag, ticker.Index - 1, ticker.Index + ticker.Length, "$" + ticker.Value.ToUpperInvariant()));
        }
        // A stable sort: facets starting together keep the order they were found in.
        return facets.Select((f, i) => (f, i)).OrderBy(x => x.f.Start).ThenBy(x => x.i).Select(x => x.f).ToList();
    }

    // The tag rule, scanned by code point (its character classes are Unicode ones, as the library's regex with /u).
    private static void Tags(string text, List<DetectedFacet> facets)
    {
        var from = 0;
        while (from < text.Length)
        {
            var hash = -1;
            for (var i = from; i < text.Length; i++)
            {
                if (text[i] is not ('#' or '\uFF03')) continue;
                if (i == 0 || IsJsWhitespace(text[i - 1])) { hash = i; break; }
            }
            if (hash < 0) return;
            from = hash + 1;
            if (from < text.Length && text[from] == '\uFE0F') continue;
            var end = from;
            var hasTagCharacter = false;
            while (end < text.Length)
            {
                var rune = RuneAt(text, end);
                if (!IsTagCharacter(rune)) break;
                hasTagCharacter |= !(rune.Value is >= '0' and <= '9') && !IsPunctuation(rune);
                end += rune.Utf16SequenceLength;
            }
            if (!hasTagCharacter) continue;
            from = end;
            var tagEnd = end;
            while (tagEnd > hash + 1)
            {
                var last = char.IsLowSurrogate(text[tagEnd - 1]) && tagEnd - 2 > hash && char.IsHighSurrogate(text[tagEnd - 2]) ? 2 : 1;
                if (!IsPunctuation(RuneAt(text, tagEnd - last))) break;
                tagEnd -= last;
            }
            var tag = text[(hash + 1)..tagEnd];
            if (tag.Length is 0 or > 64) continue;
            facets.Add(new DetectedFacet(BlueskyFacetKind.Tag, hash, tagEnd, tag));
        }
    }

    private static Rune RuneAt(string text, int index) => Rune.TryGetRuneAt(text, index, out var rune) ? rune : LoneSurrogate;

    // A lone surrogate is one UTF-16 unit to the tag rule, neither digit nor punctuation: a private-use rune stands in.
    private static readonly Rune LoneSurrogate = new(0xE000);

    private static bool IsTagCharacter(Rune rune) =>
        !(rune.IsBmp && IsJsWhitespace((char)rune.Value)) && rune.Value is not (0x00AD or 0x2060 or >= 0x200A and <= 0x200D or 0x20E2);

    private static bool IsPunctuation(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation
        or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation
        or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    /// <summary>JavaScript's <c>\s</c>: what separates words for RichText (it differs from .NET's whitespace).</summary>
    internal static bool IsJsWhitespace(char c) => c is '\t' or '\n' or '\v' or '\f' or '\r' or ' ' or '\u00a0' or '\u1680'
        or >= '\u2000' and <= '\u200a' or '\u2028' or '\u2029' or '\u202f' or '\u205f' or '\u3000' or '\ufeff';

    private const string Space = @"[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]";
    private const string NotSpace = @"[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]";

    // "@" after the start, whitespace or "(", a handle, then an ASCII word boundary (JavaScript's \b without /u).
    [GeneratedRegex("(?:^|" + Space + @"|\()@(?<handle>[a-zA-Z0-9.\-]+)(?:(?<=[A-Za-z0-9_])(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])(?=[A-Za-z0-9_]))", RegexOptions.CultureInvariant)]
    private static partial Regex Mention();

    // Case-insensitive like the library's /i, but only for ASCII letters (as JavaScript folds them).
    [GeneratedRegex("(?:^|" + Space + @"|\()(?<url>[hH][tT][tT][pP][sS]?://" + NotSpace + "+|(?<domain>[a-zA-Z][a-zA-Z0-9]*(?:\\.[a-zA-Z0-9]+)+)" + NotSpace + "*)", RegexOptions.CultureInvariant)]
    private static partial Regex Link();

    [GeneratedRegex("(?:^|" + Space + @"|\()\$(?<ticker>[A-Za-z][A-Za-z0-9]{0,4})(?=" + Space + @"|\z|[.,;:!?)""'\u2019])", RegexOptions.CultureInvariant)]
    private static partial Regex Cashtag();

    private static HashSet<string> ReadTopLevelDomains()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Publisher.Templates.Bluesky.tlds.txt")
            ?? throw new InvalidOperationException("The embedded Bluesky TLD list is missing from the build.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
    }
}
