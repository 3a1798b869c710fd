namespace Publisher.StyleGuide;

/// <summary>A span of a field's original text.</summary>
internal readonly record struct TextSpan(int Start, int Length)
{
    public int End => Start + Length;
}

/// <summary>A term occurrence in a field's original text.</summary>
internal readonly record struct TermHit(int Start, int Length, int Term)
{
    public int End => Start + Length;
}

/// <summary>One field of the variant being linted, with its folded forms and term hits computed once.</summary>
internal sealed class LintField(int index, string name, string text, int slotCount, IReadOnlyList<NonProseRange> nonProse)
{
    private readonly FoldedText?[] _folds = new FoldedText?[8];

    public int Index { get; } = index;
    public string Name { get; } = name;
    public string Text { get; } = text;
    public List<TermHit>?[] Hits { get; } = new List<TermHit>?[slotCount];

    public FoldedText Folded(FoldMode mode) => _folds[(int)mode] ??= TextFolding.Fold(Text, mode);

    private List<(int Start, int Length, int Words)>? _sentences;
    private (double Score, int Words)? _readingEase;

    /// <summary>The field's sentences, split once for every metric rule.</summary>
    public List<(int Start, int Length, int Words)> Sentences => _sentences ??= TextScanners.Sentences(Text);

    /// <summary>The field's Flesch reading ease and word count, computed once.</summary>
    public (double Score, int Words) ReadingEase => _readingEase ??= TextScanners.FleschReadingEase(Text, Sentences);

    private List<(int Start, int Length)>? _addresses;

    /// <summary>
    /// Whether the span overlaps what is not prose: a link (full, shortened or tracked), a domain, an e-mail address,
    /// a handle, a hashtag, a cashtag or code, as the channel's entity extraction gave them in <see cref="LintInput.NonProse"/>,
    /// or a link or e-mail address the linter finds itself. Words to flag are not looked for there:
    /// "northwind.com/holiday?ref=l..." is an address, not a misspelt brand.
    /// </summary>
    public bool InsideNonProse(int start, int length)
    {
        foreach (var range in nonProse)
        {
            if (start < range.Start + range.Length && range.Start < start + length)
            {
                return true;
            }
        }
        _addresses ??= TextScanners.Addresses(Text);
        foreach (var (addressStart, addressLength) in _addresses)
        {
            if (addressStart <= start && start + length <= addressStart + addressLength)
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>The state of one lint call.</summary>
internal sealed class LintContext(LintInput input, List<LintField> fields)
{
    public LintInput Input { get; } = input;
    public List<LintField> Fields { get; } = fields;
    public List<string> Diagnostics { get; } = [];

    private static readonly List<TermHit> s_none = [];

    private Dictionary<(string, FoldMode), string>? _needles;

    /// <summary>A key fact or call to action folded for matching, folded once per lint.</summary>
    public string FoldedNeedle(string term, FoldMode mode)
    {
        _needles ??= [];
        if (!_needles.TryGetValue((term, mode), out var folded))
        {
            folded = TextFolding.FoldString(term.Trim(), mode);
            _needles[(term, mode)] = folded;
        }
        return folded;
    }

    public List<TermHit> Hits(LintField field, int slot) => slot < 0 ? s_none : field.Hits[slot] ?? s_none;

    /// <summary>The fields a rule checks, in order.</summary>
    public IEnumerable<LintField> FieldsFor(CompiledRule rule) => Fields.Where(f => rule.AppliesToField(f.Name));
}
