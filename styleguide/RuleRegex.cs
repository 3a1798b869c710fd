using System.Text.RegularExpressions;

namespace Publisher.StyleGuide;

/// <summary>Builds the regexes in rules so that no pattern can hang the app.</summary>
internal static class RuleRegex
{
    /// <summary>How long a backtracking regex (one NonBacktracking cannot run) may take on one field.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Compiles <paramref name="pattern"/> with <see cref="RegexOptions.NonBacktracking"/>, whose
    /// running time is linear in the text; patterns that need backtracking features (lookarounds,
    /// backreferences, atomic groups) get the backtracking engine with <see cref="MatchTimeout"/>.
    /// </summary>
    public static Regex? TryCreate(string pattern, bool ignoreCase, out string? error)
    {
        var options = RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        try
        {
            error = null;
            return new Regex(pattern, options | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            // Falls through to the backtracking engine below.
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
            return null;
        }

        try
        {
            error = null;
            return new Regex(pattern, options, MatchTimeout);
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
            return null;
        }
    }

    /// <summary>Joins patterns into one alternation so each field is scanned once per rule.</summary>
    public static string Combine(IEnumerable<string> patterns) => string.Join("|", patterns.Select(p => "(?:" + p + ")"));
}
