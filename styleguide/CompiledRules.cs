using System.Globalization;
using System.Text.RegularExpressions;

namespace Publisher.StyleGuide;

/// <summary>A rule ready to run: its scope resolved, its terms in the shared tries, its regexes compiled.</summary>
internal abstract class CompiledRule
{
    private readonly HashSet<string>? _channels;
    private readonly HashSet<string>? _fields;

    protected CompiledRule(string id, Severity severity, string message, RuleScope scope)
    {
        Id = id;
        Severity = severity;
        Message = message;
        _channels = scope.Channels.Count == 0 ? null : new HashSet<string>(scope.Channels, StringComparer.OrdinalIgnoreCase);
        _fields = scope.Fields.Count == 0 ? null : new HashSet<string>(scope.Fields, StringComparer.OrdinalIgnoreCase);
    }

    public string Id { get; }
    public Severity Severity { get; }
    public string Message { get; }

    public bool AppliesToChannel(string channel) => _channels is null || _channels.Contains(channel);

    /// <summary>
    /// Whether the rule reads alt texts when its scope names no fields. Rules about the words used do (a banned term is
    /// banned in a description too); rules about what the post says or how it reads (required elements, key facts,
    /// counts, readability, conditions) do not: nobody sees an alt text unless they need it.
    /// </summary>
    protected virtual bool ChecksAltText => true;

    public bool AppliesToField(string field)
    {
        var alt = LintInput.IsAltTextField(field);
        if (_fields is null)
            return !alt || ChecksAltText;
        return _fields.Contains(alt ? LintInput.AltTextField : field);
    }

    public abstract void Evaluate(LintContext context, List<Finding> findings);

    protected Finding At(LintField field, int start, int length, string message, string? fix = null, Severity? severity = null, string? keySubject = null)
    {
        var matched = field.Text.Substring(start, length);
        return new Finding(Id, severity ?? Severity, message, field.Name, start, length, matched, fix, Finding.MakeKey(Id, field.Name, keySubject ?? matched));
    }

    protected Finding MissingFrom(LintField field, string missing, string message) =>
        new(Id, Severity, message, field.Name, 0, 0, "", null, Finding.MakeKey(Id, field.Name, "missing:" + missing));

    protected static string Format(string template, string? match = null, string? fix = null, string? count = null, string? limit = null, string? value = null, string? missing = null)
    {
        if (!template.Contains('{'))
        {
            return template;
        }
        return template
            .Replace("{match}", match ?? "", StringComparison.Ordinal)
            .Replace("{fix}", fix ?? "", StringComparison.Ordinal)
            .Replace("{count}", count ?? "", StringComparison.Ordinal)
            .Replace("{limit}", limit ?? "", StringComparison.Ordinal)
            .Replace("{value}", value ?? "", StringComparison.Ordinal)
            .Replace("{missing}", missing ?? "", StringComparison.Ordinal);
    }

    protected static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>
    /// Keeps the leftmost, then longest, of overlapping hits: "sign up now" is one hit, not two.
    /// Sorts <paramref name="hits"/> in place (each slot's list belongs to one rule, and sorting twice is harmless).
    /// </summary>
    public static List<TermHit> LeftmostLongest(List<TermHit> hits)
    {
        if (hits.Count < 2)
        {
            return hits;
        }
        hits.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        var overlaps = false;
        for (var i = 1; i < hits.Count && !overlaps; i++)
        {
            overlaps = hits[i].Start < hits[i - 1].End;
        }
        if (!overlaps)
        {
            return hits;
        }
        var kept = new List<TermHit>(hits.Count);
        var end = -1;
        foreach (var hit in hits)
        {
            if (hit.Start >= end)
            {
                kept.Add(hit);
                end = hit.End;
            }
        }
        return kept;
    }

    /// <summary>Equal, treating any run of white space as one space ("Northwind\nCoffee" is written correctly).</summary>
    protected static bool SameIgnoringSpacing(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsWhiteSpace(a[i]) && char.IsWhiteSpace(b[j]))
            {
                while (i < a.Length && char.IsWhiteSpace(a[i])) i++;
                while (j < b.Length && char.IsWhiteSpace(b[j])) j++;
                continue;
            }
            if (a[i] != b[j])
            {
                return false;
            }
            i++;
            j++;
        }
        return i == a.Length && j == b.Length;
    }

    /// <summary>Gives a lowercase replacement the case of what it replaces: "Signup" → "Sign up", "SIGNUP" → "SIGN UP".</summary>
    protected static string MatchCase(string matched, string replacement)
    {
        if (replacement.Any(char.IsUpper))
        {
            return replacement; // written with deliberate capitals ("iPhone"): keep them
        }
        var letters = matched.Where(char.IsLetter).ToList();
        if (letters.Count > 1 && letters.All(char.IsUpper))
        {
            return replacement.ToUpperInvariant();
        }
        if (letters.Count > 0 && char.IsUpper(letters[0]) && replacement.Length > 0)
        {
            return char.ToUpperInvariant(replacement[0]) + replacement[1..];
        }
        return replacement;
    }
}

/// <summary>The parts common to rules from the guide's <c>rules:</c> list: matching mode and exceptions.</summary>
internal abstract class UserRule : CompiledRule
{
    private readonly int _exceptionSlot;

    protected UserRule(RuleBuilder builder, StyleRule rule)
        : base(rule.Id, rule.Severity, rule.Message, rule.Scope)
    {
        Rule = rule;
        Mode = TextFolding.ModeFor(rule.IgnoreCase, rule.IgnoreAccents);
        _exceptionSlot = builder.AddTerms(this, Mode, rule.Exceptions, proseOnly: false);
    }

    protected StyleRule Rule { get; }
    protected FoldMode Mode { get; }

    protected bool IsExcepted(LintContext context, LintField field, int start, int length)
    {
        foreach (var exception in context.Hits(field, _exceptionSlot))
        {
            if (exception.Start <= start && start + length <= exception.End)
            {
                return true;
            }
        }
        return false;
    }

    protected List<TextSpan> WithoutExceptions(LintContext context, LintField field, List<TextSpan> spans) =>
        _exceptionSlot < 0 ? spans : spans.Where(s => !IsExcepted(context, field, s.Start, s.Length)).ToList();

    /// <summary>Whether <paramref name="term"/> appears in the field on word boundaries, with this rule's case and accent settings.</summary>
    protected bool ContainsTerm(LintContext context, LintField field, string term)
    {
        var mode = Mode | FoldMode.Terms;
        var text = field.Folded(mode).Text;
        var needle = context.FoldedNeedle(term, mode);
        if (needle.Length == 0)
        {
            return true;
        }
        var from = 0;
        while (from <= text.Length - needle.Length)
        {
            var at = text.IndexOf(needle, from, StringComparison.Ordinal);
            if (at < 0)
            {
                return false;
            }
            var end = at + needle.Length;
            var startsWord = !TextFolding.IsWordChar(needle[0]) || at == 0 || !TextFolding.IsWordChar(text[at - 1]);
            var endsWord = !TextFolding.IsWordChar(needle[^1]) || end == text.Length || !TextFolding.IsWordChar(text[end]);
            if (startsWord && endsWord)
            {
                return true;
            }
            from = at + 1;
        }
        return false;
    }
}

/// <summary>Tokens (through the shared trie) and patterns (one combined regex) of a rule.</summary>
internal sealed class CompiledMatcher
{
    private readonly CompiledRule _owner;
    private readonly int _slot;
    private readonly Regex? _regex;
    private readonly FoldMode _regexMode;
    private readonly bool _proseOnly;

    // proseOnly: true for matchers that look for words to flag (existence, occurrence, a conditional's trigger): they
    // do not match inside links, handles, hashtags, cashtags, e-mail addresses or code. False for presence checks
    // (required, a conditional's requirement), which read the whole text: a required "#ad" is a hashtag.
    public CompiledMatcher(RuleBuilder builder, CompiledRule owner, TextMatcher matcher, StyleRule rule, bool proseOnly)
    {
        _owner = owner;
        _proseOnly = proseOnly;
        _slot = builder.AddTerms(owner, TextFolding.ModeFor(rule.IgnoreCase, rule.IgnoreAccents), matcher.Tokens, proseOnly);
        Description = matcher.Tokens.Count > 0 ? matcher.Tokens[0] : matcher.Patterns.Count > 0 ? matcher.Patterns[0] : "";
        if (matcher.Patterns.Count > 0)
        {
            // Case is left to the regex engine; accents are folded out of pattern and text alike.
            _regexMode = rule.IgnoreAccents ? FoldMode.IgnoreAccents : FoldMode.None;
            var patterns = matcher.Patterns.Select(p => TextFolding.FoldString(p, _regexMode));
            _regex = RuleRegex.TryCreate(RuleRegex.Combine(patterns), rule.IgnoreCase, out _);
        }
    }

    /// <summary>The first token or pattern, to name what is missing.</summary>
    public string Description { get; }

    /// <summary>Every match in the field, leftmost-longest for tokens, in order.</summary>
    public List<TextSpan> Find(LintContext context, LintField field)
    {
        var spans = new List<TextSpan>();
        foreach (var hit in CompiledRule.LeftmostLongest(context.Hits(field, _slot)))
        {
            spans.Add(new TextSpan(hit.Start, hit.Length));
        }
        if (_regex is not null)
        {
            var folded = field.Folded(_regexMode);
            try
            {
                foreach (var match in _regex.EnumerateMatches(folded.Text))
                {
                    if (match.Length > 0)
                    {
                        var (start, length) = folded.ToOriginal(match.Index, match.Index + match.Length);
                        if (!_proseOnly || !field.InsideNonProse(start, length))
                        {
                            spans.Add(new TextSpan(start, length));
                        }
                    }
                }
            }
            catch (RegexMatchTimeoutException)
            {
                context.Diagnostics.Add($"Rule '{_owner.Id}': a pattern took too long on the {field.Name} field and was stopped, so its matches there may be incomplete. Simplify the pattern (avoid nested repeats like (a+)+).");
            }
            if (_slot >= 0)
            {
                spans.Sort((a, b) => a.Start.CompareTo(b.Start));
            }
        }
        return spans;
    }

    public bool AnyIn(LintContext context, LintField field) => Find(context, field).Count > 0;
}

internal sealed class ExistenceCheck : UserRule
{
    private readonly CompiledMatcher _matcher;

    public ExistenceCheck(RuleBuilder builder, ExistenceRule rule) : base(builder, rule) =>
        _matcher = new CompiledMatcher(builder, this, rule.Match, rule, proseOnly: true);

    public override void Evaluate(LintContext context, List<Finding> findings)
    {
        foreach (var field in context.FieldsFor(this))
        {
            foreach (var span in WithoutExceptions(context, field, _matcher.Find(context, field)))
            {
                var matched = field.Text.Substring(span.Start, span.Length);
                findings.Add(At(field, span.Start, span.Length, Format(Message, match: matched)));
            }
        }
    }
}

internal sealed class SubstitutionCheck : UserRule
{
    private readonly int _slot;
    private readonly ValueList<Substitution> _swaps;

    public SubstitutionCheck(RuleBuilder builder, SubstitutionRule rule) : base(builder, rule)
    {
        _swaps = rule.Swap;
        _slot = builder.AddTerms(this, Mode, rule.Swap.Select(s => s.From).ToList());
    }

    public override void Evaluate(LintContext context, List<Finding> findings)
    {
        foreach (var field in context.FieldsFor(this))
        {
            foreach (var hit in LeftmostLongest(context.Hits(field, _slot)))
            {
                if (IsExcepted(context, field, hit.Start, hit.Length))
                {
                    continue;
                }
                var matched = field.Text.Substring(hit.Start, hit.Length);
                var fix = MatchCase(matched, _swaps[hit.Term].To);
                if (fix != matched)
                {
                    findings.Add(At(field, hit.Start, hit.Length, Format(Message, match: matched, fix: fix), fix));
                }
            }
        }
    }
}

internal sealed class CapitalizationCheck : UserRule
{
    private readonly int _slot;
    private readonly ValueList<string> _terms;

    public CapitalizationCheck(RuleBuilder builder, CapitalizationRule rule) : base(builder, rule)
    {
        _terms = rule.Terms;
        // Always ignoring case: finding the wrongly capitalised forms is the point.
        _slot = builder.AddTerms(this, TextFolding.ModeFor(ignoreCase: true, rule.IgnoreAccents), rule.Terms);
    }

    public override void Evaluate(LintContext context, List<Finding> findings)
    {
        foreach (var field in context.FieldsFor(this))
        {
            foreach (var hit in LeftmostLongest(context.Hits(field, _slot)))
            {
                var matched = field.Text.Substring(hit.Start, hit.Length);
                var term = _terms[hit.Term].Trim();
                if (!SameIgnoringSpacing(matched, term) && !IsExcepted(context, field, hit.Start, hit.Length))
                {
                    findings.Add(At(field, hit.Start, hit.Length, Format(Message, match: matched, fix: term), term));
                }
            }
        }
    }
}

internal sealed class OccurrenceCheck : UserRule
{
    protected override bool ChecksAltText => false;

    private readonly OccurrenceRule _rule;
    private readonly CompiledMatcher? _matcher;

    public OccurrenceCheck(RuleBuilder builder, OccurrenceRule rule) : base(builder, rule)
    {
        _rule = rule;
        if (rule.Token == OccurrenceToken.Custom)
        {
            _matcher = new CompiledMatcher(builder, this, rule.Match, rule, proseOnly: true);
        }
    }

    private string TokenName => _rule.Token == OccurrenceToken.Custom ? _matcher!.Description : YamlNames.Of(_rule.Token);

    public override void Evaluate(LintContext context, List<Finding> findings)
    {
        foreach (var field in context.FieldsFor(this))
        {
            List<TextSpan> found;
            if (_matcher is not null)
            {
                found = _matcher.Find(context, field);
            }
            else
            {
                var spans = new List<(int Start, int Length)>();
                TextScanners.Find(_rule.Token, field.Text, spans);
                found = spans.Select(s => new TextSpan(s.Start, s.Length)).ToList();
            }
            found = WithoutExceptions(context, field, found);
            var count = found.Count.ToString(CultureInfo.InvariantCulture);
            if (_rule.Max is { } max && found.Count > max)
            {
                // Point at the first one over the limit: everything from there on is what to cut.
                var first = found[max];
                findings.Add(At(field, first.Start, first.Length, Format(Message, match: field.Text.Substring(first.Start, first.Length), count: count, limit: max.ToString(CultureInfo.InvariantCulture))));
            }
            if (_rule.Min is { } min && found.Count < min)
            {
                findings.Add(MissingFrom(field, TokenName, Format(Message, count: count, limit: min.ToString(CultureInfo.InvariantCulture), missing: TokenName)));
            }
        }
    }
}

internal sealed class ConditionalCheck : UserRule
{
    protected override bool ChecksAltText => false;

    private readonly ConditionalRule _rule;
    private readonly CompiledMatcher _if;
    private readonly CompiledMatcher _then;

    public ConditionalCheck(RuleBuilder builder, ConditionalRule rule) : base(builder, rule)
    {
        _rule = rule;
        _if = new CompiledMatcher(builder, this, rule.If.Match, rule, proseOnly: true);
        _then = new CompiledMatcher(builder, this, rule.Then, rule, proseOnly: false);
    }

    public override void Evaluate(LintContext context, List<Finding> findings)
    {
        var fields = context.FieldsFor(this).ToList();
        if (fields.Count == 0)
        {
            return;
        }
        (LintField Field, TextSpan Span)? trigger = null;
        foreach (var field in fields)
        {
            var spans = WithoutExceptions(context, field, _if.Find(context, field));
            if (spans.Count > 0)
            {
                trigger = (field, spans[0]);
                break;
            }
        }
        if (trigger is null && !(_rule.If.Sponsored && context.Input.Sponsored))
        {
            return;
        }
        if (fields.Any(field => _then.AnyIn(context, field)))
        {
            return;
        }
        if (trigger is { } t)
        {
            var matched = t.Field.Text.Substring(t.Span.Start, t.Span.Length);
            findings.Add(At(t.Field, t.Span.Start, t.Span.Length, Format(Message, match: matched, missing: _then.Description)));
        }
        else
        {
            findings.Add(MissingFrom(fields[0], _then.Description, Format(Message, missing: _then.Description)));
        }
    }
}

internal sealed class MetricCheck(MetricRule rule) : CompiledRule(rule.Id, rule.Severity, rule.Message, rule.Scope)
{
    protected override bool ChecksAltText => false;

    public override void Evaluate(LintContext context, List<Finding> findings)
    {
        foreach (var field in context.FieldsFor(this))
        {
            if (rule.Metric == TextMetric.SentenceWords)
            {
                foreach (var (start, length, words) in field.Sentences)
                {
                    var limit = words > rule.Max ? rule.Max : words < rule.Min ? rule.Min : null;
                    if (limit is not null)
                    {
                        findings.Add(At(field, start, length, Format(Message, count: words.ToString(CultureInfo.InvariantCulture), value: words.ToString(CultureInfo.InvariantCulture), limit: Number(limit.Value))));
                    }
                }
                continue;
            }

            var (score, wordCount) = field.ReadingEase;
            if (wordCount < Math.Max(1, rule.MinWords))
            {
                continue;
            }
            var bound = score < rule.Min ? rule.Min : score > rule.Max ? rule.Max : null;
            if (bound is null)
            {
                continue;
            }
            var message = Format(Message, value: Number(score), limit: Number(bound.Value));
            if (score > rule.Max || field.Sentences.Count == 0)
            {
                findings.Add(At(field, 0, field.Text.Length, message, keySubject: "readability"));
                continue;
            }
            // Too hard to read: point to the sentences that pull the score down, not the whole field.
            var hard = HardSentences(field, rule.Min!.Value);
            var hardest = hard.MinBy(h => h.Ease);
            findings.Add(At(field, hardest.Start, hardest.Length, message, keySubject: "readability") with
            {
                Highlights = hard.Select(h => new FindingSpan(h.Start, h.Length, field.Text.Substring(h.Start, h.Length))).ToList(),
            });
        }
    }

    /// <summary>
    /// The sentences whose own reading ease is under the floor, in text order. A field's ease is never under that of
    /// all its sentences, so there is at least one; rounding aside, the hardest sentence stands in.
    /// </summary>
    private static List<(int Start, int Length, double Ease)> HardSentences(LintField field, double floor)
    {
        var measured = field.Sentences
            .Select(s => (s.Start, s.Length, Ease: TextScanners.FleschReadingEase(field.Text, [s]).Score))
            .ToList();
        var hard = measured.Where(s => s.Ease < floor).ToList();
        return hard.Count > 0 ? hard : [measured.MinBy(s => s.Ease)];
    }
}

internal sealed class RequiredCheck : UserRule
{
    protected override bool ChecksAltText => false;

    private readonly RequiredRule _rule;
    private readonly CompiledMatcher? _matcher;

    public RequiredCheck(RuleBuilder builder, RequiredRule rule) : base(builder, rule)
    {
        _rule = rule;
        if (rule.Element == RequiredElement.Text)
        {
            _matcher = new CompiledMatcher(builder, this, rule.Match, rule, proseOnly: false);
        }
    }

    public override void Evaluate(LintContext context, List<Finding> findings)
    {
        var fields = context.FieldsFor(this).ToList();
        if (fields.Count == 0)
        {
            return;
        }
        string missing;
        bool present;
        switch (_rule.Element)
        {
            case RequiredElement.Link:
                if (string.IsNullOrWhiteSpace(context.Input.Link))
                {
                    return;
                }
                missing = context.Input.Link.Trim();
                present = fields.Any(f => ContainsLink(f.Text, missing));
                break;
            case RequiredElement.CallToAction:
                if (string.IsNullOrWhiteSpace(context.Input.CallToAction))
                {
                    return;
                }
                missing = context.Input.CallToAction.Trim();
                present = fields.Any(f => ContainsTerm(context, f, missing));
                break;
            default:
                missing = _matcher!.Description;
                present = fields.Any(f => _matcher.AnyIn(context, f));
                break;
        }
        if (!present)
        {
            findings.Add(MissingFrom(fields[0], missing, Format(Message, missing: missing)));
        }
    }

    /// <summary>The link as given, or the same address with tracking parameters added (or a different scheme or trailing slash).</summary>
    private static bool ContainsLink(string text, string link)
    {
        for (var at = text.IndexOf(link, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(link, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            // ".../guji" must not count inside ".../guji-2": the address has to end (or its query start) there.
            var end = at + link.Length;
            if (end == text.Length || char.IsWhiteSpace(text[end]) || text[end] is '?' or '#' or '/' or ',' or ';' or ':' or '!' or ')' or ']' or '>' or '"' or '\'' or '\u2019'
                || (text[end] == '.' && (end + 1 == text.Length || !TextFolding.IsWordChar(text[end + 1]))))
            {
                return true;
            }
        }
        var wanted = NormalizeLink(link);
        var urls = new List<(int Start, int Length)>();
        TextScanners.Links(text, urls);
        return urls.Any(u => NormalizeLink(text.Substring(u.Start, u.Length)) == wanted);
    }

    private static string NormalizeLink(string url)
    {
        var cut = url.IndexOfAny(['?', '#']);
        var value = (cut >= 0 ? url[..cut] : url).ToLowerInvariant();
        foreach (var prefix in new[] { "https://", "http://" })
        {
            if (value.StartsWith(prefix, StringComparison.Ordinal))
            {
                value = value[prefix.Length..];
            }
        }
        if (value.StartsWith("www.", StringComparison.Ordinal))
        {
            value = value[4..];
        }
        return value.TrimEnd('/');
    }
}

internal sealed class KeyFactsCheck(RuleBuilder builder, KeyFactsRule rule) : UserRule(builder, rule)
{
    protected override bool ChecksAltText => false;

    public override void Evaluate(LintContext context, List<Finding> findings)
    {
        var fields = context.FieldsFor(this).ToList();
        if (fields.Count == 0)
        {
            return;
        }
        foreach (var fact in context.Input.KeyFacts ?? [])
        {
            // "12 March." as marked still counts when a variant says "on 12 March, we…".
            var trimmed = fact.Trim().TrimEnd('.', ',', ';', ':');
            if (trimmed.Length == 0 || fields.Any(f => ContainsTerm(context, f, trimmed)))
            {
                continue;
            }
            findings.Add(MissingFrom(fields[0], trimmed, Format(Message, missing: trimmed)));
        }
    }
}

internal sealed class BrandNamesRule : CompiledRule
{
    public const string RuleId = "vocabulary.brand-names";
    private readonly int _slot;
    private readonly List<BrandName> _brands = [];
    private readonly List<int> _brandOfTerm = [];

    public BrandNamesRule(RuleBuilder builder, List<BrandName> brands)
        : base(RuleId, Severity.Error, "", RuleScope.All)
    {
        var terms = new List<string>();
        foreach (var brand in brands)
        {
            foreach (var term in brand.Misspellings.Prepend(brand.Name).Where(t => !string.IsNullOrWhiteSpace(t)))
            {
                terms.Add(term);
                _brandOfTerm.Add(_brands.Count);
            }
            _brands.Add(brand);
        }
        _slot = builder.AddTerms(this, FoldMode.IgnoreCase | FoldMode.IgnoreAccents, terms);
    }

    public override void Evaluate(LintContext context, List<Finding> findings)
    {
        foreach (var field in context.Fields)
        {
            foreach (var hit in LeftmostLongest(context.Hits(field, _slot)))
            {
                var brand = _brands[_brandOfTerm[hit.Term]];
                var name = brand.Name.Trim();
                var matched = field.Text.Substring(hit.Start, hit.Length);
                if (!SameIgnoringSpacing(matched, name))
                {
                    findings.Add(At(field, hit.Start, hit.Length, $"Write the name as \u201C{name}\u201D, exactly: not \u201C{matched}\u201D.", name, brand.Severity ?? Severity.Error));
                }
            }
        }
    }
}

internal sealed class PreferredTermsRule : CompiledRule
{
    public const string RuleId = "vocabulary.preferred";
    private readonly int _slot;
    private readonly List<PreferredTerm> _termOf = [];

    public PreferredTermsRule(RuleBuilder builder, List<PreferredTerm> preferred)
        : base(RuleId, Severity.Warning, "", RuleScope.All)
    {
        var terms = new List<string>();
        foreach (var entry in preferred)
        {
            foreach (var avoid in entry.Avoid.Where(a => !string.IsNullOrWhiteSpace(a)))
            {
                terms.Add(avoid);
                _termOf.Add(entry);
            }
        }
        _slot = builder.AddTerms(this, FoldMode.IgnoreCase | FoldMode.IgnoreAccents, terms);
    }

    public override void Evaluate(LintContext context, List<Finding> findings)
    {
        foreach (var field in context.Fields)
        {
            foreach (var hit in LeftmostLongest(context.Hits(field, _slot)))
            {
                var entry = _termOf[hit.Term];
                var matched = field.Text.Substring(hit.Start, hit.Length);
                var fix = MatchCase(matched, entry.Term.Trim());
                if (fix == matched)
                {
                    continue;
                }
                var message = $"Use \u201C{fix}\u201D instead of \u201C{matched}\u201D." + (entry.Note is null ? "" : " " + entry.Note);
                findings.Add(At(field, hit.Start, hit.Length, message, fix, entry.Severity ?? Severity.Warning));
            }
        }
    }
}

internal sealed class BannedTermsRule : CompiledRule
{
    public const string RuleId = "vocabulary.banned";
    private readonly int _slot;
    private readonly List<BannedTerm> _banned;

    public BannedTermsRule(RuleBuilder builder, List<BannedTerm> banned)
        : base(RuleId, Severity.Error, "", RuleScope.All)
    {
        _banned = banned;
        _slot = builder.AddTerms(this, FoldMode.IgnoreCase | FoldMode.IgnoreAccents, banned.Select(b => b.Term).ToList());
    }

    public override void Evaluate(LintContext context, List<Finding> findings)
    {
        foreach (var field in context.Fields)
        {
            foreach (var hit in LeftmostLongest(context.Hits(field, _slot)))
            {
                var entry = _banned[hit.Term];
                var matched = field.Text.Substring(hit.Start, hit.Length);
                var message = entry.Reason is null
                    ? $"Don't use \u201C{matched}\u201D: it is on the brand's banned list. Rephrase without it."
                    : $"Don't use \u201C{matched}\u201D: {entry.Reason}";
                // A banned word has no good replacement; the one-click fix is to take it out, and the
                // writer decides whether the sentence still reads (it often does: "our world-class beans").
                findings.Add(At(field, hit.Start, hit.Length, message, fix: "", severity: entry.Severity ?? Severity.Error));
            }
        }
    }
}
