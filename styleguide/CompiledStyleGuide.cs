using System.Collections.Concurrent;

namespace Publisher.StyleGuide;

/// <summary>
/// A style guide made ready to lint: regexes compiled, every vocabulary term and rule token in
/// one trie per matching mode. Build it once per guide version (it is immutable and thread-safe)
/// and call <see cref="Lint"/> for each variant.
/// </summary>
public sealed class CompiledStyleGuide
{
    private readonly CompiledRule[] _rules;
    private readonly TermSlot[] _slots;
    private readonly (FoldMode Mode, TermTrie Trie)[] _tries;
    private readonly ConcurrentDictionary<(string Channel, string Field), bool[]> _activeSlots = new();

    private CompiledStyleGuide(BrandStyleGuide guide, string version, IReadOnlyList<StyleGuideDiagnostic> diagnostics,
        CompiledRule[] rules, TermSlot[] slots, (FoldMode, TermTrie)[] tries)
    {
        Guide = guide;
        Version = version;
        Diagnostics = diagnostics;
        _rules = rules;
        _slots = slots;
        _tries = tries;
    }

    /// <summary>The guide this was compiled from.</summary>
    public BrandStyleGuide Guide { get; }

    /// <summary>The guide's version (<see cref="BrandStyleGuide.ComputeVersion"/>), copied into every result.</summary>
    public string Version { get; }

    /// <summary>
    /// Problems found compiling the guide. Rules with errors (e.g. an invalid regex in a guide
    /// built in code) are left out of linting rather than making it fail.
    /// </summary>
    public IReadOnlyList<StyleGuideDiagnostic> Diagnostics { get; }

    /// <summary>Compiles a guide. Never throws for content: invalid rules are skipped and reported in <see cref="Diagnostics"/>.</summary>
    /// <param name="guide">The guide.</param>
    public static CompiledStyleGuide Compile(BrandStyleGuide guide)
    {
        ArgumentNullException.ThrowIfNull(guide);
        var diagnostics = StyleGuideValidator.Validate(guide);
        var broken = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Path).ToList();
        bool IsBroken(string path) => broken.Any(p => p == path || p.StartsWith(path + ".", StringComparison.Ordinal) || p.StartsWith(path + "[", StringComparison.Ordinal));

        var builder = new RuleBuilder();
        var rules = new List<CompiledRule>();
        var vocabulary = guide.Vocabulary;
        if (vocabulary.BrandNames.Count > 0)
        {
            rules.Add(new BrandNamesRule(builder, vocabulary.BrandNames.Where(b => !string.IsNullOrWhiteSpace(b.Name)).ToList()));
        }
        if (vocabulary.Preferred.Count > 0)
        {
            rules.Add(new PreferredTermsRule(builder, vocabulary.Preferred.Where(p => !string.IsNullOrWhiteSpace(p.Term)).ToList()));
        }
        if (vocabulary.Banned.Count > 0)
        {
            rules.Add(new BannedTermsRule(builder, vocabulary.Banned.Where(b => !string.IsNullOrWhiteSpace(b.Term)).ToList()));
        }
        for (var i = 0; i < guide.Rules.Count; i++)
        {
            if (IsBroken($"rules[{i}]"))
            {
                continue;
            }
            var rule = guide.Rules[i];
            CompiledRule compiled = rule switch
            {
                ExistenceRule r => new ExistenceCheck(builder, r),
                SubstitutionRule r => new SubstitutionCheck(builder, r),
                CapitalizationRule r => new CapitalizationCheck(builder, r),
                OccurrenceRule r => new OccurrenceCheck(builder, r),
                ConditionalRule r => new ConditionalCheck(builder, r),
                MetricRule r => new MetricCheck(r),
                RequiredRule r => new RequiredCheck(builder, r),
                KeyFactsRule r => new KeyFactsCheck(builder, r),
                _ => throw new NotSupportedException($"Rule kind {rule.GetType().Name} has no checker."),
            };
            rules.Add(compiled);
        }

        var (slots, tries) = builder.Build();
        return new CompiledStyleGuide(guide, guide.ComputeVersion(), diagnostics, rules.ToArray(), slots, tries);
    }

    /// <summary>The rule id of the built-in check that every attached medium has an alt text.</summary>
    public const string AltTextRuleId = "media.alt-text";

    /// <summary>Lints one variant. Never throws for content.</summary>
    /// <param name="input">The variant.</param>
    /// <returns>Findings in field order then position, with the score and this guide's version.</returns>
    public LintResult Lint(LintInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var fields = new List<LintField>(3);
        foreach (var (name, text) in input.EnumerateFields())
        {
            fields.Add(new LintField(fields.Count, name, text, _slots.Length, input.NonProseIn(name)));
        }
        var context = new LintContext(input, fields);

        if (_tries.Length > 0)
        {
            var raw = new List<RawHit>();
            foreach (var field in fields)
            {
                var active = ActiveSlots(input.Channel ?? "", field.Name);
                foreach (var (mode, trie) in _tries)
                {
                    raw.Clear();
                    var folded = field.Folded(mode);
                    trie.Scan(folded.Text, active, raw);
                    foreach (var hit in raw)
                    {
                        var (start, length) = folded.ToOriginal(hit.FoldedStart, hit.FoldedEnd);
                        if (_slots[hit.Slot].ProseOnly && field.InsideNonProse(start, length))
                        {
                            continue;
                        }
                        (field.Hits[hit.Slot] ??= []).Add(new TermHit(start, length, hit.Term));
                    }
                }
            }
        }

        var findings = new List<Finding>();
        foreach (var rule in _rules)
        {
            if (rule.AppliesToChannel(input.Channel ?? ""))
            {
                rule.Evaluate(context, findings);
            }
        }

        for (var i = 0; i < input.AltTexts.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(input.AltTexts[i]))
            {
                var field = LintInput.AltTextFieldOf(i);
                findings.Add(new Finding(AltTextRuleId, Severity.Error,
                    $"Attachment {i + 1} has no alt text: describe what it shows, for people who cannot see it (screen readers read it aloud).",
                    field, 0, 0, "", null, Finding.MakeKey(AltTextRuleId, field, "missing")));
            }
        }

        if (findings.Count > 1)
        {
            var order = fields.ToDictionary(f => f.Name, f => f.Index);
            findings = findings
                .Select((f, i) => (f, i))
                .OrderBy(x => order.TryGetValue(x.f.Field, out var index) ? index : LintInput.IsAltTextField(x.f.Field) ? int.MaxValue : 0)
                .ThenBy(x => x.f.Start)
                .ThenBy(x => x.i)
                .Select(x => x.f)
                .ToList();
        }
        return new LintResult(findings, Version, context.Diagnostics);
    }

    private bool[] ActiveSlots(string channel, string field)
    {
        if (_activeSlots.TryGetValue((channel, field), out var cached))
        {
            return cached;
        }
        var active = new bool[_slots.Length];
        for (var i = 0; i < _slots.Length; i++)
        {
            var owner = _slots[i].Owner;
            active[i] = owner.AppliesToChannel(channel) && owner.AppliesToField(field);
        }
        // Channels and fields are a short fixed list; the cap only guards against callers
        // inventing a new channel name per call.
        if (_activeSlots.Count < 512)
        {
            _activeSlots.TryAdd((channel, field), active);
        }
        return active;
    }
}

/// <summary>A list of terms registered in a trie on behalf of one rule.</summary>
/// <remarks><paramref name="proseOnly"/>: its terms are not matched inside links, handles, tags, e-mail addresses or code.</remarks>
internal sealed class TermSlot(int id, CompiledRule owner, FoldMode mode, bool proseOnly)
{
    public int Id { get; } = id;
    public CompiledRule Owner { get; } = owner;
    public FoldMode Mode { get; } = mode;
    public bool ProseOnly { get; } = proseOnly;
}

/// <summary>Collects term lists from rules while they compile, then builds one trie per fold mode.</summary>
internal sealed class RuleBuilder
{
    private readonly List<TermSlot> _slots = [];
    private readonly Dictionary<FoldMode, TermTrie> _tries = [];
    /// <summary>
    /// Registers terms; returns the slot id, or -1 when there are none. Terms to flag (vocabulary, substitutions,
    /// capitalization, existence) are <paramref name="proseOnly"/>; terms whose presence is checked are not.
    /// </summary>
    public int AddTerms(CompiledRule owner, FoldMode mode, IReadOnlyList<string> terms, bool proseOnly = true)
    {
        if (terms.Count == 0)
        {
            return -1;
        }
        var trieMode = mode | FoldMode.Terms;
        var slot = new TermSlot(_slots.Count, owner, trieMode, proseOnly);
        _slots.Add(slot);
        if (!_tries.TryGetValue(trieMode, out var trie))
        {
            trie = new TermTrie();
            _tries[trieMode] = trie;
        }
        for (var i = 0; i < terms.Count; i++)
        {
            trie.Add(TextFolding.FoldString(terms[i].Trim(), trieMode), slot.Id, i);
        }
        return slot.Id;
    }

    public (TermSlot[], (FoldMode, TermTrie)[]) Build() =>
        (_slots.ToArray(), _tries.Where(t => t.Value.TermCount > 0).Select(t => (t.Key, t.Value)).ToArray());
}
