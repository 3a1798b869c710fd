using BenchmarkDotNet.Attributes;
using Publisher.StyleGuide;

namespace Publisher.Bench.StyleGuide;

/// <summary>
/// Targets from the style guide issue: one variant against a guide of 500 vocabulary terms and
/// 50 rules in under 100 µs on one core; re-checking 10,000 variants after a guide change
/// (compile once, lint all) in under 2 seconds.
/// </summary>
[MemoryDiagnoser]
public class LintBenchmarks
{
    private const int VariantCount = 10_000;
    private BrandStyleGuide _guide = BrandStyleGuide.Empty;
    private CompiledStyleGuide _compiled = null!;
    private LintInput[] _variants = [];
    private string _guideYaml = "";

    [GlobalSetup]
    public void Setup()
    {
        _guide = GeneratedGuide.Create(vocabularyTerms: 500, rules: 50);
        _guideYaml = StyleGuideYaml.Write(_guide);
        _compiled = CompiledStyleGuide.Compile(_guide);
        _variants = GeneratedGuide.Variants(VariantCount);
        if (_compiled.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            throw new InvalidOperationException("The generated guide is invalid: " + string.Join("; ", _compiled.Diagnostics));
        }
    }

    /// <summary>One typical variant (about 280 characters, a few findings) against the compiled guide.</summary>
    [Benchmark]
    public LintResult LintOneVariant() => _compiled.Lint(_variants[0]);

    private int _change;

    /// <summary>
    /// After a guide change (a banned term added, so a new version): compile the new guide, then
    /// re-lint 10,000 variants. Unchanged regexes are reused from the cache, as in the app.
    /// </summary>
    [Benchmark]
    public int RecheckTenThousandVariantsAfterGuideChange()
    {
        var changed = _guide with
        {
            Vocabulary = _guide.Vocabulary with { Banned = [.. _guide.Vocabulary.Banned, new BannedTerm($"newterm{_change++}")] },
        };
        var compiled = CompiledStyleGuide.Compile(changed);
        var errors = 0;
        foreach (var variant in _variants)
        {
            errors += compiled.Lint(variant).HasErrors ? 1 : 0;
        }
        return errors;
    }

    /// <summary>Compiling the guide when none of its regexes has been built before (the worst case).</summary>
    [Benchmark]
    public CompiledStyleGuide CompileGuideWithNewPatterns() => CompiledStyleGuide.Compile(GeneratedGuide.WithFreshPatterns(_guide, _change++));

    /// <summary>Compiling the guide with its regexes already built (vocabulary or message edits).</summary>
    [Benchmark]
    public CompiledStyleGuide CompileGuide() => CompiledStyleGuide.Compile(_guide);

    /// <summary>Importing the guide's YAML (parse and validate).</summary>
    [Benchmark]
    public StyleGuideParseResult ParseGuideYaml() => StyleGuideYaml.Parse(_guideYaml);
}

/// <summary>A synthetic but realistic guide and variants for the benchmarks.</summary>
public static class GeneratedGuide
{
    private static readonly string[] Channels = ["X", "Mastodon", "Bluesky", "LinkedIn", "FacebookPage", "Email", "Blog", "Webhook"];

    private static readonly string[] Words =
    [
        "coffee", "roast", "beans", "fresh", "morning", "brew", "cup", "farm", "harvest", "origin", "flavour", "notes",
        "chocolate", "berry", "citrus", "smooth", "bold", "light", "dark", "grind", "filter", "espresso", "latte", "milk",
        "ship", "order", "today", "week", "bag", "price", "new", "back", "season", "limited", "lot", "washed", "natural",
    ];

    /// <summary>A guide with <paramref name="vocabularyTerms"/> vocabulary words and <paramref name="rules"/> rules of every kind.</summary>
    public static BrandStyleGuide Create(int vocabularyTerms, int rules)
    {
        var brandCount = vocabularyTerms / 10;
        var preferredCount = vocabularyTerms * 4 / 10 / 2; // two avoided words each
        var bannedCount = vocabularyTerms - brandCount - preferredCount * 2;

        var vocabulary = new BrandVocabulary
        {
            BrandNames = Enumerable.Range(0, brandCount).Select(i => new BrandName($"Brand{i}Name", [$"Brand {i} Name"])).ToList(),
            Preferred = Enumerable.Range(0, preferredCount).Select(i => new PreferredTerm($"preferred term {i}", [$"avoidword{i}", $"avoid phrase {i}"])).ToList(),
            Banned = Enumerable.Range(0, bannedCount).Select(i => new BannedTerm($"bannedword{i}", "Reason.")).ToList(),
        };

        var list = new List<StyleRule>();
        for (var i = 0; list.Count < rules; i++)
        {
            var scope = i % 3 == 0 ? new RuleScope([Channels[i % Channels.Length]], []) : RuleScope.All;
            StyleRule rule = (i % 10) switch
            {
                0 or 1 => new ExistenceRule { Id = $"existence-{i}", Message = "No {match}.", Scope = scope, Match = new TextMatcher([$"hype{i}", $"jargon {i}", "synergy"], []), Exceptions = [$"hype{i} index"] },
                2 => new ExistenceRule { Id = $"pattern-{i}", Message = "No {match}.", Scope = scope, Match = new TextMatcher([], [$@"\b\d+% off{i}\b", @"\bAAA+\b"]) },
                3 => new SubstitutionRule { Id = $"swap-{i}", Message = "Use {fix}.", Scope = scope, Swap = [new Substitution($"in order to{i}", "to"), new Substitution("utilize", "use")] },
                4 => new CapitalizationRule { Id = $"caps-{i}", Message = "Write {fix}.", Scope = scope, Terms = [$"AeroPress{i}", "Rainforest Alliance"] },
                5 => new OccurrenceRule { Id = $"occurrence-{i}", Message = "{count} > {limit}", Scope = scope, Token = (OccurrenceToken)(1 + i / 10 % 5), Max = 3 },
                6 => new ConditionalRule { Id = $"conditional-{i}", Message = "Add {missing}.", Scope = scope, If = new RuleCondition(new TextMatcher(["#ad"], []), Sponsored: true), Then = new TextMatcher(["paid partnership"], []) },
                7 => new MetricRule { Id = $"metric-{i}", Message = "{count} words", Scope = scope, Metric = i % 20 == 7 ? TextMetric.SentenceWords : TextMetric.Readability, Max = i % 20 == 7 ? 25 : null, Min = i % 20 == 7 ? null : 40 },
                8 => new RequiredRule { Id = $"required-{i}", Message = "Add {missing}.", Scope = scope, Element = (RequiredElement)(i / 10 % 3) , Match = i / 10 % 3 == 0 ? new TextMatcher(["coffee"], []) : TextMatcher.None },
                _ => new KeyFactsRule { Id = $"facts-{i}", Message = "Missing {missing}.", Scope = scope },
            };
            list.Add(rule);
        }
        return new BrandStyleGuide { Vocabulary = vocabulary, Rules = list };
    }

    /// <summary>The same guide with every pattern changed, so no compiled regex can be reused.</summary>
    public static BrandStyleGuide WithFreshPatterns(BrandStyleGuide guide, int change) => guide with
    {
        Rules = guide.Rules.Select(r => r is ExistenceRule { Match.Patterns.Count: > 0 } e
            ? e with { Match = e.Match with { Patterns = e.Match.Patterns.Select(p => p + $"|fresh{change}").ToList() } }
            : r).ToList(),
    };

    /// <summary>Deterministic variants of about 280 characters, some with findings.</summary>
    public static LintInput[] Variants(int count)
    {
        var random = new Random(42);
        var variants = new LintInput[count];
        for (var i = 0; i < count; i++)
        {
            var words = new List<string>();
            while (words.Sum(w => w.Length + 1) < 220)
            {
                words.Add(Words[random.Next(Words.Length)]);
                if (random.Next(12) == 0)
                {
                    words[^1] += ".";
                }
            }
            words.Add(random.Next(4) switch
            {
                0 => $"avoidword{random.Next(200)}",
                1 => $"brand{random.Next(50)}name",
                2 => "utilize",
                _ => "Brand7Name",
            });
            words.Add("☕ #coffee #beans");
            words.Add("https://northwind.example/guji?utm_source=x");
            var body = string.Join(' ', words);
            variants[i] = new LintInput
            {
                Channel = Channels[i % Channels.Length],
                Title = i % 4 == 0 ? "Guji is back for the season" : null,
                Body = char.ToUpperInvariant(body[0]) + body[1..],
                Link = "https://northwind.example/guji",
                CallToAction = "Order today",
                KeyFacts = ["Guji", "$14"],
                Sponsored = i % 10 == 0,
            };
        }
        return variants;
    }
}
