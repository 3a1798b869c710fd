using System.Globalization;
using System.Text;

namespace Publisher.StyleGuide;

/// <summary>How text is folded before matching.</summary>
[Flags]
internal enum FoldMode
{
    None = 0,
    IgnoreCase = 1,
    IgnoreAccents = 2,

    // Term matching also collapses runs of white space to one space and straightens quotes,
    // so "sign\n up" matches "sign up" and "don’t" matches "don't". Regexes see the real spacing.
    Terms = 4,
}

/// <summary>Folded text with a map back to the original, so spans found in it can be reported in the original.</summary>
internal sealed class FoldedText
{
    public FoldedText(string text, int[]? starts, int[]? ends)
    {
        Text = text;
        _starts = starts;
        _ends = ends;
    }

    private readonly int[]? _starts;
    private readonly int[]? _ends;

    public string Text { get; }

    /// <summary>The original span covering folded chars [start, end).</summary>
    public (int Start, int Length) ToOriginal(int start, int end)
    {
        if (_starts is null || _ends is null)
        {
            return (start, end - start);
        }
        var originalStart = _starts[start];
        var originalEnd = end > start ? _ends[end - 1] : originalStart;
        return (originalStart, originalEnd - originalStart);
    }
}

internal static class TextFolding
{
    public static FoldedText Fold(string text, FoldMode mode)
    {
        if (mode == FoldMode.None)
        {
            return new FoldedText(text, null, null);
        }

        var ignoreCase = (mode & FoldMode.IgnoreCase) != 0;
        var ignoreAccents = (mode & FoldMode.IgnoreAccents) != 0;
        var terms = (mode & FoldMode.Terms) != 0;

        // Most posts are plain ASCII (plus emoji) with single spaces: then folding only changes
        // case and every char stays in place, so no position map is needed.
        if (NeedsNoMap(text) && !(terms && HasSpacingToCollapse(text)))
        {
            return new FoldedText(ignoreCase ? text.ToLowerInvariant() : text, null, null);
        }

        var buffer = new char[text.Length + 8];
        var starts = new int[buffer.Length];
        var ends = new int[buffer.Length];
        var count = 0;

        void Emit(char c, int start, int end)
        {
            if (count == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
                Array.Resize(ref starts, buffer.Length);
                Array.Resize(ref ends, buffer.Length);
            }
            buffer[count] = c;
            starts[count] = start;
            ends[count] = end;
            count++;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (terms && char.IsWhiteSpace(c))
            {
                var runEnd = i + 1;
                while (runEnd < text.Length && char.IsWhiteSpace(text[runEnd]))
                {
                    runEnd++;
                }
                Emit(' ', i, runEnd);
                i = runEnd - 1;
                continue;
            }
            if (terms && c is '\u2019' or '\u2018' or '\u02BC')
            {
                c = '\'';
            }
            if (!ignoreAccents && i + 1 < text.Length && IsMark(text[i + 1]))
            {
                // Accents matter, so "e" + combining acute must equal the precomposed "é" a term
                // would be written with: compose the letter and its marks, and map the result to all of them.
                var runEnd = i + 1;
                while (runEnd < text.Length && IsMark(text[runEnd]))
                {
                    runEnd++;
                }
                foreach (var composed in text.AsSpan(i, runEnd - i).ToString().Normalize(NormalizationForm.FormC))
                {
                    Emit(ignoreCase ? char.ToLowerInvariant(composed) : composed, i, runEnd);
                }
                i = runEnd - 1;
                continue;
            }
            if (c < 0x80)
            {
                Emit(ignoreCase ? AsciiLower(c) : c, i, i + 1);
                continue;
            }
            if (ignoreAccents)
            {
                if (IsMark(c))
                {
                    // A combining mark already in the text (decomposed input): drop it, and let the
                    // base letter's span cover it so a fix replaces the whole accented letter.
                    if (count > 0 && ends[count - 1] == i)
                    {
                        ends[count - 1] = i + 1;
                    }
                    continue;
                }
                var folded = FoldAccent(c);
                if (folded is not null)
                {
                    foreach (var f in folded)
                    {
                        Emit(ignoreCase ? char.ToLowerInvariant(f) : f, i, i + 1);
                    }
                    continue;
                }
            }
            Emit(ignoreCase ? char.ToLowerInvariant(c) : c, i, i + 1);
        }

        var result = new string(buffer, 0, count);
        if (count == text.Length && !ignoreAccents && !terms)
        {
            // Case folding alone keeps every char in place.
            return new FoldedText(result, null, null);
        }
        return new FoldedText(result, starts, ends);
    }

    // ASCII, emoji and other symbols above U+2000 (except spaces, curly quotes and combining
    // marks) fold char for char in every mode, the same way string.ToLowerInvariant does.
    private static bool NeedsNoMap(string text)
    {
        var rest = text.AsSpan();
        while (true)
        {
            var at = rest.IndexOfAnyExceptInRange('\0', '\u007F');
            if (at < 0)
            {
                return true;
            }
            var c = rest[at];
            if (!char.IsSurrogate(c) && (c < '\u2000' || char.IsWhiteSpace(c) || c is '\u2018' or '\u2019' || IsMark(c)))
            {
                return false;
            }
            rest = rest[(at + 1)..];
        }
    }

    private static bool HasSpacingToCollapse(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\t' or '\n' or '\r' or '\f' or '\v' || (c == ' ' && i + 1 < text.Length && char.IsWhiteSpace(text[i + 1])))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Folds a pattern or term the same way as text (no span map needed).</summary>
    public static string FoldString(string value, FoldMode mode) => mode == FoldMode.None ? value : Fold(value, mode).Text;

    /// <summary>The lower-case base letter of <paramref name="c"/>: 'É' → 'e', 'ø' → 'o' (first letter for ligatures).</summary>
    public static char BaseLetter(char c)
    {
        if (c < 0x80)
        {
            return AsciiLower(c);
        }
        var folded = FoldAccent(c);
        return char.ToLowerInvariant(folded is { Length: > 0 } ? folded[0] : c);
    }

    private static char AsciiLower(char c) => c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;

    private static bool IsMark(char c)
    {
        var category = CharUnicodeInfo.GetUnicodeCategory(c);
        return category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            && c is not '\u20E3' and not '\uFE0F'; // keep keycaps and emoji presentation for emoji counting
    }

    private static readonly Dictionary<char, string?> s_accentCache = BuildLatinTable();

    private static Dictionary<char, string?> BuildLatinTable()
    {
        var table = new Dictionary<char, string?>();
        for (var c = '\u00C0'; c <= '\u024F'; c++)
        {
            table[c] = Decompose(c);
        }
        return table;
    }

    private static string? FoldAccent(char c)
    {
        if (s_accentCache.TryGetValue(c, out var cached))
        {
            return cached;
        }
        return c is >= '\u1E00' and <= '\u1EFF' or >= '\u0370' and <= '\u04FF' ? Decompose(c) : null;
    }

    // Letters with no Unicode decomposition that readers still see as "the same letter".
    private static string? Decompose(char c)
    {
        switch (c)
        {
            case 'ø': return "o";
            case 'Ø': return "O";
            case 'ł': return "l";
            case 'Ł': return "L";
            case 'đ': return "d";
            case 'Đ': return "D";
            case 'ß': return "ss";
            case 'æ': return "ae";
            case 'Æ': return "AE";
            case 'œ': return "oe";
            case 'Œ': return "OE";
        }
        if (char.IsSurrogate(c))
        {
            return null;
        }
        var decomposed = c.ToString().Normalize(NormalizationForm.FormD);
        if (decomposed.Length == 1 && decomposed[0] == c)
        {
            return null;
        }
        var builder = new StringBuilder(decomposed.Length);
        foreach (var d in decomposed)
        {
            if (!IsMark(d))
            {
                builder.Append(d);
            }
        }
        var result = builder.ToString();
        return result.Length == 0 || result == c.ToString() ? null : result;
    }

    public static FoldMode ModeFor(bool ignoreCase, bool ignoreAccents) =>
        (ignoreCase ? FoldMode.IgnoreCase : FoldMode.None) | (ignoreAccents ? FoldMode.IgnoreAccents : FoldMode.None);

    /// <summary>Letters, digits, underscores and combining marks make up words.</summary>
    public static bool IsWordChar(char c)
    {
        if (c < 0x80)
        {
            return c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_';
        }
        if (char.IsLetterOrDigit(c))
        {
            return true;
        }
        var category = CharUnicodeInfo.GetUnicodeCategory(c);
        return category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
    }
}
