using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Publisher.Templates.Counting;

/// <summary>What an <see cref="XEntity"/> is.</summary>
public enum XEntityKind
{
    /// <summary>A link (X wraps it in t.co and counts it 23).</summary>
    Url,
    /// <summary>A <c>#hashtag</c>.</summary>
    Hashtag,
    /// <summary>An <c>@mention</c> (or <c>@user/list</c>).</summary>
    Mention,
    /// <summary>A <c>$CASHTAG</c>.</summary>
    Cashtag,
}

/// <summary>
/// One entity of an X post, as twitter-text's <c>extractEntitiesWithIndices</c> gives it: UTF-16 range
/// (<paramref name="Start"/> inclusive, <paramref name="End"/> exclusive) in the text as written.
/// </summary>
/// <param name="Kind">Link, hashtag, mention or cashtag.</param>
/// <param name="Start">Index of the first UTF-16 code unit (the <c>#</c>, <c>@</c> or <c>$</c> included).</param>
/// <param name="End">Index just past the entity.</param>
/// <param name="Value">The URL as written, the hashtag or cashtag without its sign, or the screen name (with <c>/list</c>).</param>
public sealed record XEntity(XEntityKind Kind, int Start, int End, string Value);

/// <summary>
/// Finds the links, hashtags, mentions and cashtags of an X post exactly as twitter-text 3.1.0 does, so
/// previews colour what X will link and the linter knows what is not prose.
/// </summary>
public static partial class XEntities
{
    /// <summary>The entities of <paramref name="text"/>, in order, overlapping ones removed as twitter-text removes them.</summary>
    public static IReadOnlyList<XEntity> Extract(string? text)
    {
        if (string.IsNullOrEmpty(text)) return [];
        var entities = new List<XEntity>();
        entities.AddRange(UrlExtractor.Extract(text).Select(u => new XEntity(XEntityKind.Url, u.Start, u.End, u.Url)));
        entities.AddRange(Mentions(text));
        entities.AddRange(Hashtags(text));
        entities.AddRange(Cashtags(text));
        if (entities.Count < 2) return entities;
        // A stable sort by start, then every entity that starts inside the one kept before it goes.
        var ordered = entities.Select((e, i) => (e, i)).OrderBy(x => x.e.Start).ThenBy(x => x.i).Select(x => x.e).ToList();
        var kept = new List<XEntity>(ordered.Count) { ordered[0] };
        foreach (var entity in ordered.Skip(1))
        {
            if (kept[^1].End <= entity.Start) kept.Add(entity);
        }
        return kept;
    }

    /// <summary>The hashtags of <paramref name="text"/>: a hash sign not glued to a letter, digit or <c>&amp;</c>, then letters, marks, digits and joiners with at least one letter.</summary>
    public static IReadOnlyList<XEntity> Hashtags(string text)
    {
        var found = new List<XEntity>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is not ('#' or '\uFF03') || !IsHashtagBoundary(text, i)) continue;
            var next = i + 1;
            if (next < text.Length && text[next] is '\uFE0F' or '\u20E3') continue;
            var end = next;
            var hasLetter = false;
            while (end < text.Length && Rune.TryGetRuneAt(text, end, out var rune) && IsHashtagAlphanumeric(rune))
            {
                hasLetter |= IsHashtagLetter(rune);
                end += rune.Utf16SequenceLength;
            }
            if (!hasLetter) continue;
            // twitter-text takes the whole run, then drops it when another hash sign or "://" follows.
            if (end < text.Length && (text[end] is '#' or '\uFF03' || text.AsSpan(end).StartsWith("://", StringComparison.Ordinal)))
            {
                i = end - 1;
                continue;
            }
            found.Add(new XEntity(XEntityKind.Hashtag, i, end, text[next..end]));
            i = end - 1;
        }
        return found;
    }

    /// <summary>The mentions of <paramref name="text"/>: @ and up to 20 of <c>A-Z a-z 0-9 _</c>, an optional <c>/list</c>.</summary>
    public static IReadOnlyList<XEntity> Mentions(string text)
    {
        if (text.IndexOf('@') < 0 && text.IndexOf('\uFF20') < 0) return [];
        var found = new List<XEntity>();
        foreach (Match m in MentionOrList().Matches(text))
        {
            var after = m.Index + m.Length;
            if (after < text.Length && (text[after] is '@' or '\uFF20' || IsLatinAccent(text[after]) || text.AsSpan(after).StartsWith("://", StringComparison.Ordinal)))
                continue;
            var at = m.Groups["at"].Index;
            found.Add(new XEntity(XEntityKind.Mention, at, after, m.Groups["name"].Value + m.Groups["list"].Value));
        }
        return found;
    }

    /// <summary>The cashtags of <paramref name="text"/>: <c>$</c> after a space or the start, 1–6 letters, an optional <c>.xx</c> or <c>_xx</c>.</summary>
    public static IReadOnlyList<XEntity> Cashtags(string text)
    {
        if (text.IndexOf('$') < 0) return [];
        var found = new List<XEntity>();
        foreach (Match m in Cashtag().Matches(text))
        {
            var tag = m.Groups["tag"];
            found.Add(new XEntity(XEntityKind.Cashtag, tag.Index - 1, tag.Index + tag.Length, tag.Value));
        }
        return found;
    }

    // Before a hashtag: the start, a variation selector, or a character that is neither part of a hashtag nor '&'.
    private static bool IsHashtagBoundary(string text, int hash)
    {
        if (hash == 0) return true;
        var previous = text[hash - 1];
        if (previous is '\uFE0E' or '\uFE0F') return true;
        if (char.IsLowSurrogate(previous))
        {
            // A whole astral character before it; a lone surrogate is no character, so no boundary.
            return hash >= 2 && char.IsHighSurrogate(text[hash - 2]) && !IsHashtagAlphanumeric(new Rune(text[hash - 2], previous));
        }
        if (char.IsHighSurrogate(previous)) return false;
        return previous != '&' && !IsHashtagAlphanumeric(new Rune(previous));
    }

    private static bool IsHashtagLetter(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => true,
        _ => false,
    };

    private static bool IsHashtagAlphanumeric(Rune rune) =>
        IsHashtagLetter(rune) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.DecimalDigitNumber || rune.Value is
            '_' or 0x200C or 0x200D or 0xA67E or 0x05BE or 0x05F3 or 0x05F4 or 0xFF5E or 0x301C or 0x309B or 0x309C
            or 0x30A0 or 0x30FB or 0x3003 or 0x0F0B or 0x0F0C or 0x00B7;

    private static bool IsLatinAccent(char c) => c is >= '\u00c0' and <= '\u00d6' or >= '\u00d8' and <= '\u00f6' or >= '\u00f8' and <= '\u024f'
        or '\u0253' or '\u0254' or '\u0256' or '\u0257' or '\u0259' or '\u025b' or '\u0263' or '\u0268' or '\u026f' or '\u0272'
        or '\u0289' or '\u028b' or '\u02bb' or >= '\u0300' and <= '\u036f' or >= '\u1e00' and <= '\u1eff';

    // Preceded by the start, a character that cannot come before a mention, or "RT" (X's retweet prefix).
    [GeneratedRegex(@"(?:^|[^a-zA-Z0-9_!#$%&*@\uFF20]|(?:^|[^a-zA-Z0-9_+~.\-])(?:rt|RT|rT|Rt):?)(?<at>[@\uFF20])(?<name>[a-zA-Z0-9_]{1,20})(?<list>/[a-zA-Z][a-zA-Z0-9_\-]{0,24})?", RegexOptions.CultureInvariant)]
    private static partial Regex MentionOrList();

    [GeneratedRegex(@"(?:^|[\u0009-\u000d\u0020\u0085\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])\$(?<tag>[a-zA-Z]{1,6}(?:[._][a-zA-Z]{1,2})?)(?=\z|[\u0009-\u000d\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]|[!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$])", RegexOptions.CultureInvariant)]
    private static partial Regex Cashtag();
}
