using System.Text;

namespace Publisher.Templates.Counting;

/// <summary>
/// The result of measuring a post as twitter-text's <c>parseTweet</c> does. Ranges are inclusive
/// UTF-16 indices into the original (not normalized) text.
/// </summary>
/// <param name="WeightedLength">The length X shows and limits (280).</param>
/// <param name="IsValid">Within the limit and free of characters X rejects (U+FFFE, U+FEFF, U+FFFF).</param>
/// <param name="Permillage">Weighted length per thousand of the limit.</param>
/// <param name="DisplayRangeStart">First index of the text.</param>
/// <param name="DisplayRangeEnd">Last index of the text.</param>
/// <param name="ValidRangeStart">First index of the part that fits.</param>
/// <param name="ValidRangeEnd">Last index of the part that fits.</param>
public sealed record XParseResult(
    int WeightedLength,
    bool IsValid,
    int Permillage,
    int DisplayRangeStart,
    int DisplayRangeEnd,
    int ValidRangeStart,
    int ValidRangeEnd);

/// <summary>
/// X's weighted length, exactly as twitter-text v3 counts it: the text is NFC-normalized; each URL
/// (as <see cref="UrlExtractor"/> finds it) counts <see cref="TwitterTextConfiguration.TransformedUrlLength"/>;
/// each emoji sequence counts 2 (when emoji parsing is on); every other code point counts by the
/// weighted ranges (1 for Latin and common punctuation, 2 for everything else).
/// </summary>
public static class XWeightedLength
{
    /// <summary>Measures <paramref name="text"/> with <paramref name="config"/> (v3 when null).</summary>
    public static XParseResult Parse(string? text, TwitterTextConfiguration? config = null)
    {
        config ??= TwitterTextConfiguration.V3;
        if (string.IsNullOrEmpty(text)) return new XParseResult(0, false, 0, 0, 0, 0, 0);

        var normalized = TextNormalization.ToNfc(text);
        var scaledMax = config.MaxWeightedTweetLength * config.Scale;
        var urlWeight = config.TransformedUrlLength * config.Scale;
        var urls = UrlExtractor.Extract(normalized);
        var urlIndex = 0;
        var ranges = config.Ranges as WeightedRange[] ?? config.Ranges.ToArray();

        var hasInvalid = false;
        var weighted = 0;
        var offset = 0;
        var validOffset = 0;
        while (offset < normalized.Length)
        {
            var consumedEntity = false;
            while (urlIndex < urls.Count && urls[urlIndex].Start < offset) urlIndex++;
            if (urlIndex < urls.Count && urls[urlIndex].Start == offset)
            {
                var urlLength = urls[urlIndex].End - urls[urlIndex].Start;
                consumedEntity = true;
                weighted += urlWeight;
                offset += urlLength;
                if (weighted <= scaledMax) validOffset += urlLength;
                urlIndex++;
            }

            // twitter-text looks for an emoji at the offset reached after a URL in the same step.
            if (config.EmojiParsingEnabled && offset < normalized.Length && MayStartEmoji(normalized, offset))
            {
                var emojiLength = EmojiScanner.MatchAt(normalized, offset);
                if (emojiLength > 0)
                {
                    consumedEntity = true;
                    weighted += config.DefaultWeight;
                    offset += emojiLength;
                    if (weighted <= scaledMax) validOffset += emojiLength;
                }
            }

            if (consumedEntity || offset >= normalized.Length) continue;

            var c = normalized[offset];
            int codePoint;
            var delta = 1;
            if (char.IsHighSurrogate(c) && offset + 1 < normalized.Length && char.IsLowSurrogate(normalized[offset + 1]))
            {
                codePoint = char.ConvertToUtf32(c, normalized[offset + 1]);
                delta = 2;
            }
            else
            {
                codePoint = c;
            }
            weighted += WeightOf(codePoint, ranges, config.DefaultWeight);
            hasInvalid = hasInvalid || IsInvalid(c);
            offset += delta;
            if (!hasInvalid && weighted <= scaledMax) validOffset += delta;
        }

        var normalizationShift = text.Length - normalized.Length;
        var length = weighted / config.Scale;
        return new XParseResult(
            length,
            !hasInvalid && length > 0 && length <= config.MaxWeightedTweetLength,
            length * 1000 / config.MaxWeightedTweetLength,
            0,
            offset + normalizationShift - 1,
            0,
            validOffset + normalizationShift - 1);
    }

    /// <summary>The weighted length of <paramref name="text"/> under config v3.</summary>
    public static int Count(string? text) => Parse(text).WeightedLength;

    private static int WeightOf(int codePoint, WeightedRange[] ranges, int defaultWeight)
    {
        foreach (var range in ranges)
        {
            if (codePoint >= range.Start && codePoint <= range.End) return range.Weight;
        }
        return defaultWeight;
    }

    // Only a keycap ("1️⃣") starts with an ASCII character; every other emoji starts outside ASCII.
    private static bool MayStartEmoji(string text, int offset)
    {
        var c = text[offset];
        if (c >= 0x80) return true;
        return c is >= '0' and <= '9' or '#' or '*' && offset + 1 < text.Length && text[offset + 1] is '\uFE0F' or '\u20E3';
    }

    private static bool IsInvalid(char c) => c is '\uFFFE' or '\uFEFF' or '\uFFFF';
}
