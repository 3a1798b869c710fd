using System.Collections.Concurrent;
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
        // Building a NonBacktracking regex costs milliseconds; a guide edit usually leaves most
        // patterns as they were, so recompiling the guide reuses them. Regex instances are immutable
        // and thread-safe.
        if (s_cache.TryGetValue((pattern, ignoreCase), out var cached))
        {
            error = null;
            return cached;
        }
        var regex = Create(pattern, ignoreCase, out error);
        if (regex is not null)
        {
            if (s_cache.Count >= CacheLimit)
            {
                s_cache.Clear();
            }
            s_cache.TryAdd((pattern, ignoreCase), regex);
        }
        return regex;
    }

    private const int CacheLimit = 512;
    private static readonly ConcurrentDictionary<(string Pattern, bool IgnoreCase), Regex> s_cache = new();

    private static Regex? Create(string pattern, bool ignoreCase, out string? error)
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

    /// <summary>
    /// Checks a pattern's syntax only, with the interpreter (cheap to build), for validation;
    /// the linter builds the NonBacktracking form once per rule when it compiles the guide.
    /// </summary>
    public static Regex? TryParse(string pattern, out string? error)
    {
        try
        {
            error = null;
            return new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
            return null;
        }
    }

    /// <summary>Whether the pattern matches empty text (and so would match at every position).</summary>
    public static bool MatchesEmpty(Regex regex)
    {
        try
        {
            return regex.IsMatch("");
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>Joins patterns into one alternation so each field is scanned once per rule.</summary>
    public static string Combine(IEnumerable<string> patterns) => string.Join("|", patterns.Select(p => "(?:" + p + ")"));
}
