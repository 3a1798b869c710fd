using System.Text;

namespace Publisher.Templates.Counting;

/// <summary>
/// Recognises emoji sequences as one unit: a pictograph with its variation selector, skin tone or
/// tag sequence, chains joined by ZERO WIDTH JOINER, regional-indicator flags and keycaps.
/// twitter-text v3 weighs each such sequence once.
/// </summary>
internal static class EmojiScanner
{
    private const int Zwj = 0x200D, Vs16 = 0xFE0F, Keycap = 0x20E3, TagEnd = 0xE007F;

    /// <summary>Length in UTF-16 code units of the emoji sequence starting at <paramref name="index"/>, or 0.</summary>
    public static int MatchAt(string text, int index)
    {
        var first = CodePointAt(text, index);

        if (first is >= '0' and <= '9' or '#' or '*')
        {
            var i = index + 1;
            if (i < text.Length && text[i] == Vs16) i++;
            return i < text.Length && text[i] == Keycap ? i + 1 - index : 0;
        }

        if (IsRegionalIndicator(first))
        {
            var next = index + 2;
            return next < text.Length && IsRegionalIndicator(CodePointAt(text, next)) ? 4 : 2;
        }

        if (!IsPictograph(first)) return 0;
        // Text-style symbols in the Latin range (©, ®) are emoji only when asked for with VS16.
        var length = ElementLength(text, index, requirePresentation: first < 0x1100);
        if (length == 0) return 0;

        var end = index + length;
        while (end + 1 < text.Length && text[end] == Zwj)
        {
            var next = CodePointAt(text, end + 1);
            if (!IsPictograph(next) && !IsRegionalIndicator(next)) break;
            var more = ElementLength(text, end + 1, requirePresentation: false);
            if (more == 0) break;
            end += 1 + more;
        }
        return end - index;
    }

    // One pictograph plus the modifiers that belong to it.
    private static int ElementLength(string text, int index, bool requirePresentation)
    {
        var cp = CodePointAt(text, index);
        var i = index + Rune.GetRuneAt(text, index).Utf16SequenceLength;
        if (requirePresentation && (i >= text.Length || text[i] != Vs16)) return 0;
        if (i < text.Length && text[i] == Vs16) i++;
        if (i < text.Length && IsSkinTone(CodePointAt(text, i))) i += 2;
        if (cp == 0x1F3F4 && i + 1 < text.Length && IsTag(CodePointAt(text, i)))
        {
            // Subdivision flags: black flag, tag letters, cancel tag.
            while (i + 1 < text.Length && IsTag(CodePointAt(text, i)))
            {
                var tag = CodePointAt(text, i);
                i += 2;
                if (tag == TagEnd) break;
            }
        }
        return i - index;
    }

    private static int CodePointAt(string text, int index) =>
        Rune.TryGetRuneAt(text, index, out var rune) ? rune.Value : text[index];

    private static bool IsRegionalIndicator(int cp) => cp is >= 0x1F1E6 and <= 0x1F1FF;
    private static bool IsSkinTone(int cp) => cp is >= 0x1F3FB and <= 0x1F3FF;
    private static bool IsTag(int cp) => cp is >= 0xE0020 and <= 0xE007F;

    /// <summary>Code points with the Unicode Extended_Pictographic property (approximated by its blocks).</summary>
    private static bool IsPictograph(int cp) => cp switch
    {
        0x00A9 or 0x00AE or 0x203C or 0x2049 or 0x2122 or 0x2139 => true,
        >= 0x2194 and <= 0x2199 => true,
        0x21A9 or 0x21AA or 0x231A or 0x231B or 0x2328 or 0x23CF => true,
        >= 0x23E9 and <= 0x23F3 => true,
        >= 0x23F8 and <= 0x23FA => true,
        0x24C2 or 0x25AA or 0x25AB or 0x25B6 or 0x25C0 => true,
        >= 0x25FB and <= 0x25FE => true,
        >= 0x2600 and <= 0x27BF => true,
        0x2934 or 0x2935 => true,
        >= 0x2B05 and <= 0x2B07 => true,
        0x2B1B or 0x2B1C or 0x2B50 or 0x2B55 or 0x3030 or 0x303D or 0x3297 or 0x3299 => true,
        >= 0x1F000 and <= 0x1F0FF => true,
        >= 0x1F10D and <= 0x1F10F => true,
        0x1F12F => true,
        >= 0x1F16C and <= 0x1F171 => true,
        0x1F17E or 0x1F17F or 0x1F18E => true,
        >= 0x1F191 and <= 0x1F19A => true,
        >= 0x1F1AD and <= 0x1F1E5 => true,
        >= 0x1F201 and <= 0x1F20F => true,
        0x1F21A or 0x1F22F => true,
        >= 0x1F232 and <= 0x1F23A => true,
        >= 0x1F23C and <= 0x1F23F => true,
        >= 0x1F249 and <= 0x1F3FA => true,
        >= 0x1F400 and <= 0x1F53D => true,
        >= 0x1F546 and <= 0x1F64F => true,
        >= 0x1F680 and <= 0x1F6FF => true,
        >= 0x1F774 and <= 0x1F77F => true,
        >= 0x1F7D5 and <= 0x1F7FF => true,
        >= 0x1F80C and <= 0x1F80F => true,
        >= 0x1F848 and <= 0x1F84F => true,
        >= 0x1F85A and <= 0x1F85F => true,
        >= 0x1F888 and <= 0x1F88F => true,
        >= 0x1F8AE and <= 0x1F8FF => true,
        >= 0x1F90C and <= 0x1F93A => true,
        >= 0x1F93C and <= 0x1F945 => true,
        >= 0x1F947 and <= 0x1FAFF => true,
        >= 0x1FC00 and <= 0x1FFFD => true,
        _ => false,
    };
}
