using System.Text;

namespace Publisher.Templates.Counting;

/// <summary>NFC normalization that never throws.</summary>
internal static class TextNormalization
{
    /// <summary>
    /// Normalizes to NFC. .NET refuses to normalize strings holding noncharacters or lone surrogates;
    /// those are left as they are and the text around them is normalized piece by piece.
    /// </summary>
    public static string ToNfc(string text)
    {
        // ASCII text is always in NFC; checking that is much cheaper than asking ICU.
        if (System.Text.Ascii.IsValid(text)) return text;
        try
        {
            return text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            var result = new StringBuilder(text.Length);
            var segmentStart = 0;
            for (var i = 0; i < text.Length; i++)
            {
                var length = Rune.TryGetRuneAt(text, i, out var rune) ? rune.Utf16SequenceLength : 1;
                if (length == 1 && char.IsSurrogate(text[i]) || IsNoncharacter(rune.Value))
                {
                    AppendNormalized(result, text, segmentStart, i);
                    result.Append(text, i, length);
                    segmentStart = i + length;
                }
                i += length - 1;
            }
            AppendNormalized(result, text, segmentStart, text.Length);
            return result.ToString();
        }
    }

    private static void AppendNormalized(StringBuilder result, string text, int start, int end)
    {
        if (end <= start) return;
        var segment = text[start..end];
        try
        {
            result.Append(segment.Normalize(NormalizationForm.FormC));
        }
        catch (ArgumentException)
        {
            result.Append(segment);
        }
    }

    private static bool IsNoncharacter(int cp) => cp is >= 0xFDD0 and <= 0xFDEF || (cp & 0xFFFE) == 0xFFFE;
}
