using System.Text.RegularExpressions;

namespace Publisher.StyleGuide;

/// <summary>
/// Checks a style guide built in code (or read from YAML) for problems that would stop it from
/// working: rules without an id or message, invalid regexes, impossible limits.
/// </summary>
public static partial class StyleGuideValidator
{
    /// <summary>The channel kinds Publisher knows. A scope naming another gets a warning (likely a typo).</summary>
    public static IReadOnlyList<string> KnownChannels { get; } =
        ["X", "Mastodon", "Bluesky", "LinkedIn", "FacebookPage", "Email", "Blog", "Webhook", "Threads", "Instagram"];

    /// <summary>The fields Publisher lints. A scope naming another gets a warning (likely a typo).</summary>
    public static IReadOnlyList<string> KnownFields { get; } = ["title", "subject", "body", "summary"];

    /// <summary>Rule ids starting with this are reserved for the vocabulary's findings.</summary>
    public const string ReservedIdPrefix = "vocabulary.";

    /// <summary>Returns every problem found; an empty list means the guide is valid. Never throws.</summary>
    /// <param name="guide">The guide to check.</param>
    public static IReadOnlyList<StyleGuideDiagnostic> Validate(BrandStyleGuide guide)
    {
        var diagnostics = new List<StyleGuideDiagnostic>();
        void Error(string path, string message) => diagnostics.Add(new(DiagnosticSeverity.Error, message, path));
        void Warn(string path, string message) => diagnostics.Add(new(DiagnosticSeverity.Warning, message, path));

        for (var i = 0; i < guide.Identity.Palette.Count; i++)
        {
            var swatch = guide.Identity.Palette[i];
            var path = $"identity.palette[{i}]";
            if (string.IsNullOrWhiteSpace(swatch.Name))
            {
                Error(path + ".name", "A palette colour has no name: add `name:`, e.g. `name: Roast Brown`.");
            }
            if (swatch.Hex is null || !HexColor().IsMatch(swatch.Hex))
            {
                Error(path + ".hex", $"The colour '{swatch.Name}' has hex value '{swatch.Hex}': write it as #RRGGBB or #RGB, e.g. \"#4B2E2A\" (quoted, since # starts a YAML comment).");
            }
        }
        for (var i = 0; i < guide.Identity.Typography.Count; i++)
        {
            var face = guide.Identity.Typography[i];
            if (string.IsNullOrWhiteSpace(face.Role) || string.IsNullOrWhiteSpace(face.Family))
            {
                Error($"identity.typography[{i}]", "A typeface needs both `role:` (where it is used) and `family:` (the font).");
            }
        }
        for (var i = 0; i < guide.Identity.ImageHosts.Count; i++)
        {
            var host = guide.Identity.ImageHosts[i];
            if (!HostName().IsMatch(host))
            {
                Error($"identity.imageHosts[{i}]", $"'{host}' is not a host name: write only the host of the image addresses, like cdn.northwind.example (no https://, no path).");
            }
        }

        var vocabulary = guide.Vocabulary;
        for (var i = 0; i < vocabulary.BrandNames.Count; i++)
        {
            var brand = vocabulary.BrandNames[i];
            if (string.IsNullOrWhiteSpace(brand.Name))
            {
                Error($"vocabulary.brandNames[{i}].name", "A brand name is empty: write the name exactly as it must appear.");
            }
            CheckTerms(brand.Misspellings, $"vocabulary.brandNames[{i}].misspellings", "misspelling");
        }
        for (var i = 0; i < vocabulary.Preferred.Count; i++)
        {
            var preferred = vocabulary.Preferred[i];
            var path = $"vocabulary.preferred[{i}]";
            if (string.IsNullOrWhiteSpace(preferred.Term))
            {
                Error(path + ".term", "A preferred term is empty: add `term:` with the word to use.");
            }
            if (preferred.Avoid.Count == 0)
            {
                Error(path + ".avoid", $"The preferred term '{preferred.Term}' lists no words to avoid: add `avoid:` with the words to replace, e.g. `avoid: [signup]`.");
            }
            CheckTerms(preferred.Avoid, path + ".avoid", "word to avoid");
        }
        for (var i = 0; i < vocabulary.Banned.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(vocabulary.Banned[i].Term))
            {
                Error($"vocabulary.banned[{i}].term", "A banned term is empty: write the term, or remove the entry.");
            }
        }

        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < guide.Rules.Count; i++)
        {
            var rule = guide.Rules[i];
            var path = $"rules[{i}]";
            var name = string.IsNullOrWhiteSpace(rule.Id) ? $"#{i + 1}" : $"'{rule.Id}'";
            if (string.IsNullOrWhiteSpace(rule.Id))
            {
                Error(path + ".id", $"Rule {name} has no id: add `id:` with a short unique name, e.g. `id: no-hype`.");
            }
            else if (!ids.Add(rule.Id))
            {
                Error(path + ".id", $"Rule id '{rule.Id}' is used twice: give each rule its own id.");
            }
            else if (rule.Id.StartsWith(ReservedIdPrefix, StringComparison.OrdinalIgnoreCase))
            {
                Error(path + ".id", $"Rule id '{rule.Id}' starts with '{ReservedIdPrefix}', which is reserved for vocabulary findings: rename the rule.");
            }
            if (string.IsNullOrWhiteSpace(rule.Message))
            {
                Error(path + ".message", $"Rule {name} has no message: add `message:` with what writers should see and do, e.g. \"Say 'sign up', not '{{match}}'.\"");
            }
            for (var c = 0; c < rule.Scope.Channels.Count; c++)
            {
                var channel = rule.Scope.Channels[c];
                if (!KnownChannels.Contains(channel, StringComparer.OrdinalIgnoreCase))
                {
                    Warn($"{path}.scope.channels[{c}]", $"Rule {name} is scoped to channel '{channel}', which Publisher does not know, so it never applies there: use one of {string.Join(", ", KnownChannels)}.");
                }
            }
            for (var f = 0; f < rule.Scope.Fields.Count; f++)
            {
                var field = rule.Scope.Fields[f];
                if (!KnownFields.Contains(field, StringComparer.OrdinalIgnoreCase))
                {
                    Warn($"{path}.scope.fields[{f}]", $"Rule {name} is scoped to field '{field}', which Publisher does not lint: use one of {string.Join(", ", KnownFields)}.");
                }
            }
            CheckTerms(rule.Exceptions, path + ".exceptions", "exception");

            switch (rule)
            {
                case ExistenceRule existence:
                    CheckMatcher(existence.Match, path, rule, name, "what must not appear");
                    break;
                case SubstitutionRule substitution:
                    if (substitution.Swap.Count == 0)
                    {
                        Error(path + ".swap", $"Rule {name} has nothing to swap: add `swap:` with `wrong: right` pairs, e.g. `signup: sign up`.");
                    }
                    for (var s = 0; s < substitution.Swap.Count; s++)
                    {
                        var swap = substitution.Swap[s];
                        if (string.IsNullOrWhiteSpace(swap.From) || string.IsNullOrWhiteSpace(swap.To))
                        {
                            Error($"{path}.swap[{s}]", $"Rule {name} has a swap with an empty side: write `wrong: right`, both non-empty.");
                        }
                    }
                    break;
                case CapitalizationRule capitalization:
                    if (capitalization.Terms.Count == 0)
                    {
                        Error(path + ".terms", $"Rule {name} lists no terms: add `terms:` with each term exactly as it must be written.");
                    }
                    CheckTerms(capitalization.Terms, path + ".terms", "term");
                    break;
                case OccurrenceRule occurrence:
                    if (occurrence.Max is null && occurrence.Min is null)
                    {
                        Error(path, $"Rule {name} sets no limit: add `max:` and/or `min:`.");
                    }
                    if (occurrence.Max < 0 || occurrence.Min < 0)
                    {
                        Error(path, $"Rule {name} has a negative limit: use 0 or more.");
                    }
                    if (occurrence.Max is { } max && occurrence.Min is { } min && min > max)
                    {
                        Error(path + ".min", $"Rule {name} needs at least {min} but allows at most {max}: make `min:` no more than `max:`.");
                    }
                    if (occurrence.Token == OccurrenceToken.Custom)
                    {
                        CheckMatcher(occurrence.Match, path, rule, name, "what to count (or `token:` hashtag, mention, link, emoji or exclamation)");
                    }
                    else if (!occurrence.Match.IsEmpty)
                    {
                        Error(path + ".tokens", $"Rule {name} counts `token: {YamlNames.Of(occurrence.Token)}` and also lists tokens or patterns: keep one or the other.");
                    }
                    break;
                case ConditionalRule conditional:
                    if (conditional.If.Match.IsEmpty && !conditional.If.Sponsored)
                    {
                        Error(path + ".if", $"Rule {name} has no condition: give `if:` tokens or patterns, or `sponsored: true`.");
                    }
                    CheckPatterns(conditional.If.Match, path + ".if", rule, name);
                    CheckTerms(conditional.If.Match.Tokens, path + ".if.tokens", "token");
                    CheckMatcher(conditional.Then, path + ".then", rule, name, "what must then appear");
                    break;
                case MetricRule metric:
                    if (metric.Max is null && metric.Min is null)
                    {
                        Error(path, $"Rule {name} sets no bound: add `max:` (e.g. 25 words per sentence) or `min:` (e.g. a readability of 60).");
                    }
                    if (metric.Max is { } metricMax && metric.Min is { } metricMin && metricMin > metricMax)
                    {
                        Error(path + ".min", $"Rule {name} has `min:` {metricMin} above `max:` {metricMax}: swap or fix them.");
                    }
                    if (metric.MinWords < 0)
                    {
                        Error(path + ".minWords", $"Rule {name} has a negative `minWords:`: use 0 or more.");
                    }
                    break;
                case RequiredRule required:
                    if (required.Element == RequiredElement.Text)
                    {
                        CheckMatcher(required.Match, path, rule, name, "the text that must appear (or `element:` link or call-to-action)");
                    }
                    else if (!required.Match.IsEmpty)
                    {
                        Error(path + ".tokens", $"Rule {name} requires the message's {YamlNames.Of(required.Element)} and also lists tokens or patterns: use `element: text` for those.");
                    }
                    break;
            }
        }
        return diagnostics;

        void CheckTerms(IReadOnlyList<string> terms, string path, string what)
        {
            for (var t = 0; t < terms.Count; t++)
            {
                if (string.IsNullOrWhiteSpace(terms[t]))
                {
                    Error($"{path}[{t}]", $"An empty {what}: remove it or write the words.");
                }
            }
        }

        void CheckMatcher(TextMatcher matcher, string path, StyleRule rule, string name, string what)
        {
            if (matcher.IsEmpty)
            {
                Error(path, $"Rule {name} has nothing to match: add `tokens:` or `patterns:` with {what}.");
            }
            CheckTerms(matcher.Tokens, path + ".tokens", "token");
            CheckPatterns(matcher, path, rule, name);
        }

        void CheckPatterns(TextMatcher matcher, string path, StyleRule rule, string name)
        {
            for (var p = 0; p < matcher.Patterns.Count; p++)
            {
                var pattern = matcher.Patterns[p];
                if (string.IsNullOrEmpty(pattern))
                {
                    Error($"{path}.patterns[{p}]", $"Rule {name} has an empty pattern: remove it or write the regular expression.");
                    continue;
                }
                if (RuleRegex.TryParse(pattern, out var error) is not { } parsed)
                {
                    Error($"{path}.patterns[{p}]", $"Rule {name} has an invalid regular expression '{pattern}': {error} Fix the pattern (in YAML, single-quote it so backslashes stay as written).");
                }
                else if (RuleRegex.MatchesEmpty(parsed))
                {
                    Error($"{path}.patterns[{p}]", $"Rule {name} has a pattern '{pattern}' that matches empty text, so it would match everywhere: make it require at least one character.");
                }
            }
        }
    }

    // A DNS name of two or more labels (letters, digits, hyphens; punycode for other scripts).
    [GeneratedRegex(@"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HostName();

    [GeneratedRegex("^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$")]
    private static partial Regex HexColor();
}
