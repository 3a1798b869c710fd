using System.Globalization;

namespace Publisher.StyleGuide;

/// <summary>Finds the built-in tokens occurrence rules count, and measures sentences for metric rules.</summary>
internal static class TextScanners
{
    public static void Find(OccurrenceToken token, string text, List<(int Start, int Length)> found)
    {
        switch (token)
        {
            case OccurrenceToken.Hashtag: Hashtags(text, found); break;
            case OccurrenceToken.Mention: Mentions(text, found); break;
            case OccurrenceToken.Link: Links(text, found); break;
            case OccurrenceToken.Emoji: Emoji(text, found); break;
            case OccurrenceToken.Exclamation: Exclamations(text, found); break;
        }
    }

    private static bool IsWord(string text, int i) => i >= 0 && i < text.Length && TextFolding.IsWordChar(text[i]);

    private static void Hashtags(string text, List<(int, int)> found)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is not ('#' or '\uFF03') || IsWord(text, i - 1) || (i > 0 && text[i - 1] is '&' or '#'))
            {
                continue;
            }
            var end = i + 1;
            var hasNonDigit = false;
            while (end < text.Length && TextFolding.IsWordChar(text[end]))
            {
                hasNonDigit |= !char.IsDigit(text[end]);
                end++;
            }
            if (end > i + 1 && hasNonDigit)
            {
                found.Add((i, end - i));
                i = end - 1;
            }
        }
    }

    private static bool IsHandleChar(char c) => TextFolding.IsWordChar(c) || c is '.' or '-';

    private static void Mentions(string text, List<(int, int)> found)
    {
        for (var i = 0; i < text.Length; i++)
        {
            // Not after a word character, so "hello@northwind.example" is an address, not a mention.
            if (text[i] != '@' || IsWord(text, i - 1) || (i > 0 && text[i - 1] is '.' or '@'))
            {
                continue;
            }
            var end = i + 1;
            while (end < text.Length && IsHandleChar(text[end]))
            {
                end++;
            }
            // Mastodon: @name@instance.social
            if (end < text.Length && text[end] == '@' && end + 1 < text.Length && IsHandleChar(text[end + 1]))
            {
                end++;
                while (end < text.Length && IsHandleChar(text[end]))
                {
                    end++;
                }
            }
            while (end > i + 1 && text[end - 1] is '.' or '-')
            {
                end--;
            }
            if (end > i + 1)
            {
                found.Add((i, end - i));
                i = end - 1;
            }
        }
    }

    public static void Links(string text, List<(int, int)> found)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is not ('h' or 'H' or 'w' or 'W') || IsWord(text, i - 1))
            {
                continue;
            }
            var span = text.AsSpan(i);
            if (!span.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                && !span.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
                && !span.StartsWith("www.", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var end = i;
            while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] is not ('<' or '>' or '"'))
            {
                end++;
            }
            while (end > i && text[end - 1] is '.' or ',' or ';' or ':' or '!' or '?' or ')' or ']' or '\'' or '\u2019')
            {
                end--;
            }
            if (end - i > 8)
            {
                found.Add((i, end - i));
                i = end - 1;
            }
        }
    }

    /// <summary>Links and e-mail addresses, which term matching skips.</summary>
    public static List<(int Start, int Length)> Addresses(string text)
    {
        var found = new List<(int Start, int Length)>();
        if (text.Contains("://", StringComparison.Ordinal) || text.Contains("www.", StringComparison.OrdinalIgnoreCase))
        {
            Links(text, found);
        }
        for (var at = text.IndexOf('@'); at >= 0; at = text.IndexOf('@', at + 1))
        {
            var start = at;
            while (start > 0 && (TextFolding.IsWordChar(text[start - 1]) || text[start - 1] is '.' or '-' or '+'))
            {
                start--;
            }
            var end = at + 1;
            while (end < text.Length && (TextFolding.IsWordChar(text[end]) || text[end] is '.' or '-'))
            {
                end++;
            }
            while (end > at + 1 && text[end - 1] is '.' or '-')
            {
                end--;
            }
            if (start < at && text.AsSpan(at, end - at).Contains('.'))
            {
                found.Add((start, end - start));
            }
        }
        return found;
    }

    private static void Exclamations(string text, List<(int, int)> found)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '!' or '\uFF01')
            {
                found.Add((i, 1));
            }
        }
    }

    private static void Emoji(string text, List<(int, int)> found)
    {
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            // Fast path: below U+2000 only keycaps (1️⃣) and ©️/®️ with a presentation selector are emoji.
            if (c < '\u2000' && (i + 1 >= text.Length || text[i + 1] is not ('\uFE0F' or '\u20E3')))
            {
                i++;
                continue;
            }
            var length = StringInfo.GetNextTextElementLength(text.AsSpan(i));
            if (length <= 0)
            {
                break;
            }
            if (IsEmojiCluster(text.AsSpan(i, length)))
            {
                found.Add((i, length));
            }
            i += length;
        }
    }

    private static bool IsEmojiCluster(ReadOnlySpan<char> cluster)
    {
        foreach (var rune in cluster.EnumerateRunes())
        {
            var v = rune.Value;
            if (v is 0xFE0F or 0x20E3
                or >= 0x1F000 and <= 0x1FAFF
                or >= 0x2600 and <= 0x27BF
                or >= 0x2300 and <= 0x23FF
                or >= 0x2B00 and <= 0x2BFF
                or 0x3030 or 0x303D or 0x3297 or 0x3299)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Sentences of a field: each ends at . ! ? … followed by a space, or at a line break.</summary>
    public static List<(int Start, int Length, int Words)> Sentences(string text)
    {
        var sentences = new List<(int, int, int)>();
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            var atEnd = i == text.Length;
            var breaksHere = atEnd || text[i] is '\n' or '\r';
            var end = i;
            if (!breaksHere && text[i] is '.' or '!' or '?' or '\u2026' or '\u3002')
            {
                var j = i + 1;
                while (j < text.Length && text[j] is '.' or '!' or '?' or '"' or '\'' or ')' or '\u201D' or '\u2019')
                {
                    j++;
                }
                if (j == text.Length || char.IsWhiteSpace(text[j]))
                {
                    breaksHere = true;
                    end = j;
                    i = j - 1;
                }
            }
            if (!breaksHere)
            {
                continue;
            }
            AddSentence(text, start, end, sentences);
            start = atEnd ? end : Math.Max(end, i + 1);
        }
        return sentences;
    }

    private static void AddSentence(string text, int start, int end, List<(int, int, int)> sentences)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }
        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }
        var words = CountWords(text.AsSpan(start, end - start));
        if (words > 0)
        {
            sentences.Add((start, end - start, words));
        }
    }

    /// <summary>Words are runs of non-space characters holding a letter or digit (so a URL is one word, a lone dash none).</summary>
    public static int CountWords(ReadOnlySpan<char> text)
    {
        var count = 0;
        var inWord = false;
        var hasLetter = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                if (inWord && hasLetter)
                {
                    count++;
                }
                inWord = false;
                hasLetter = false;
                continue;
            }
            inWord = true;
            hasLetter |= char.IsLetterOrDigit(c);
        }
        return inWord && hasLetter ? count + 1 : count;
    }

    /// <summary>
    /// Flesch reading ease: 206.835 − 1.015 × words per sentence − 84.6 × syllables per word.
    /// Syllables are estimated as groups of vowels, less a silent final e.
    /// </summary>
    public static (double Score, int Words) FleschReadingEase(string text) => FleschReadingEase(text, Sentences(text));

    public static (double Score, int Words) FleschReadingEase(string text, List<(int Start, int Length, int Words)> sentences)
    {
        var words = 0;
        var syllables = 0;
        foreach (var (start, length, _) in sentences)
        {
            var end = start + length;
            var i = start;
            while (i < end)
            {
                while (i < end && char.IsWhiteSpace(text[i]))
                {
                    i++;
                }
                var wordStart = i;
                while (i < end && !char.IsWhiteSpace(text[i]))
                {
                    i++;
                }
                var word = text.AsSpan(wordStart, i - wordStart);
                if (word.IsEmpty || word.IndexOfAnyExcept(NonWordSymbols) < 0 || !HasLetterOrDigit(word))
                {
                    continue;
                }
                words++;
                syllables += Syllables(word);
            }
        }
        if (words == 0 || sentences.Count == 0)
        {
            return (100, 0);
        }
        var score = 206.835 - 1.015 * words / sentences.Count - 84.6 * syllables / words;
        return (Math.Round(score, 1), words);
    }

    private static readonly System.Buffers.SearchValues<char> NonWordSymbols = System.Buffers.SearchValues.Create("-–—•·*");

    private static bool HasLetterOrDigit(ReadOnlySpan<char> word)
    {
        foreach (var c in word)
        {
            if (char.IsLetterOrDigit(c))
            {
                return true;
            }
        }
        return false;
    }

    private static int Syllables(ReadOnlySpan<char> word)
    {
        var count = 0;
        var letters = 0;
        var previousVowel = false;
        var last = '\0';
        var beforeLast = '\0';
        foreach (var original in word)
        {
            var c = TextFolding.BaseLetter(original);
            if (c is < 'a' or > 'z')
            {
                continue;
            }
            letters++;
            var vowel = c is 'a' or 'e' or 'i' or 'o' or 'u' or 'y';
            if (vowel && !previousVowel)
            {
                count++;
            }
            previousVowel = vowel;
            beforeLast = last;
            last = c;
        }
        if (letters > 2 && last == 'e' && beforeLast != 'l' && count > 1)
        {
            count--;
        }
        return Math.Max(1, count);
    }
}
