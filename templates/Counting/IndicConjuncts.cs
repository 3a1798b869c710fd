namespace Publisher.Templates.Counting;

/// <summary>
/// The Indic_Conjunct_Break property of Unicode 15.1 (rule GB9c): a consonant, a virama (the "linker") and a
/// consonant form one grapheme cluster, so "स्ते" is one user-perceived character, not two.
/// </summary>
internal static class IndicConjuncts
{
    /// <summary>Devanagari, Bengali, Gujarati, Oriya, Telugu and Malayalam viramas.</summary>
    public static bool IsLinker(char c) => c is '\u094D' or '\u09CD' or '\u0ACD' or '\u0B4D' or '\u0C4D' or '\u0D4D';

    /// <summary>Consonants of the scripts whose virama is a linker.</summary>
    public static bool IsConsonant(char c) => c is
        >= '\u0915' and <= '\u0939' or >= '\u0958' and <= '\u095F' or >= '\u0978' and <= '\u097F'
        or >= '\u0995' and <= '\u09A8' or >= '\u09AA' and <= '\u09B0' or '\u09B2' or >= '\u09B6' and <= '\u09B9' or '\u09DC' or '\u09DD' or '\u09DF' or '\u09F0' or '\u09F1'
        or >= '\u0A95' and <= '\u0AA8' or >= '\u0AAA' and <= '\u0AB0' or '\u0AB2' or '\u0AB3' or >= '\u0AB5' and <= '\u0AB9' or '\u0AF9'
        or >= '\u0B15' and <= '\u0B28' or >= '\u0B2A' and <= '\u0B30' or '\u0B32' or '\u0B33' or >= '\u0B35' and <= '\u0B39' or '\u0B5C' or '\u0B5D' or '\u0B5F' or '\u0B71'
        or >= '\u0C15' and <= '\u0C28' or >= '\u0C2A' and <= '\u0C39' or >= '\u0C58' and <= '\u0C5A'
        or >= '\u0D15' and <= '\u0D3A';

    // Combining marks and the zero-width joiner may stand between the virama and what follows.
    private static bool IsExtend(char c) => c == '\u200D' || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.EnclosingMark;

    /// <summary>Whether a cluster is a consonant followed by marks that include a linker, so a consonant after it joins it.</summary>
    public static bool EndsInLinker(ReadOnlySpan<char> cluster)
    {
        var sawLinker = false;
        for (var i = cluster.Length - 1; i >= 0; i--)
        {
            var c = cluster[i];
            if (IsLinker(c)) { sawLinker = true; continue; }
            if (IsExtend(c)) continue;
            return sawLinker && IsConsonant(c);
        }
        return false;
    }
}
