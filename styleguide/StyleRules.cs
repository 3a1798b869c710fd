namespace Publisher.StyleGuide;

/// <summary>
/// One rule of a style guide. Each kind of rule is a subclass; see the YAML format in the
/// library's README for what each kind checks.
/// </summary>
public abstract record StyleRule
{
    /// <summary>Unique id within the guide, e.g. "no-hype". Findings name it.</summary>
    public required string Id { get; init; }

    /// <summary>
    /// What writers see. May contain placeholders: <c>{match}</c> (the text found),
    /// <c>{fix}</c> (the replacement), <c>{count}</c>, <c>{limit}</c>, <c>{value}</c>, <c>{missing}</c>.
    /// </summary>
    public required string Message { get; init; }

    /// <summary>How serious a finding of this rule is.</summary>
    public Severity Severity { get; init; } = Severity.Warning;

    /// <summary>Which channels and fields the rule checks; everything when empty.</summary>
    public RuleScope Scope { get; init; } = RuleScope.All;

    /// <summary>
    /// Phrases inside which a match does not count, e.g. "first class" for a rule that bans "class".
    /// Matched with the rule's case and accent settings.
    /// </summary>
    public ValueList<string> Exceptions { get; init; } = ValueList<string>.Empty;

    /// <summary>Whether matching ignores case ("Signup" = "signup"). True unless said.</summary>
    public bool IgnoreCase { get; init; } = true;

    /// <summary>Whether matching ignores accents ("cafe" = "café"). True unless said.</summary>
    public bool IgnoreAccents { get; init; } = true;

    /// <summary>The rule's kind as written in YAML, e.g. "existence".</summary>
    public abstract string Kind { get; }
}

/// <summary>Which channels and fields a rule checks.</summary>
/// <param name="Channels">Channel kinds ("X", "Mastodon", "Email", …), compared ignoring case; all when empty.</param>
/// <param name="Fields">Fields ("title", "subject", "body"), compared ignoring case; all when empty.</param>
public sealed record RuleScope(ValueList<string> Channels, ValueList<string> Fields)
{
    /// <summary>Every channel, every field.</summary>
    public static RuleScope All { get; } = new(ValueList<string>.Empty, ValueList<string>.Empty);
}

/// <summary>Words and patterns to look for. Tokens match whole words; patterns are regular expressions.</summary>
/// <param name="Tokens">Words or phrases, matched on word boundaries ("class" does not match inside "classic").</param>
/// <param name="Patterns">.NET regular expressions, run with <c>RegexOptions.NonBacktracking</c> where the pattern allows it, otherwise with a match timeout.</param>
public sealed record TextMatcher(ValueList<string> Tokens, ValueList<string> Patterns)
{
    /// <summary>Matches nothing.</summary>
    public static TextMatcher None { get; } = new(ValueList<string>.Empty, ValueList<string>.Empty);

    /// <summary>Whether there is nothing to match.</summary>
    public bool IsEmpty => Tokens.Count == 0 && Patterns.Count == 0;
}

/// <summary>Existence: any token or pattern found is a finding (banned words, patterns).</summary>
public sealed record ExistenceRule : StyleRule
{
    /// <summary>What must not appear.</summary>
    public required TextMatcher Match { get; init; }

    /// <inheritdoc />
    public override string Kind => "existence";
}

/// <summary>One swap of a substitution rule.</summary>
/// <param name="From">The word or phrase to replace (matched on word boundaries).</param>
/// <param name="To">The replacement, offered as a one-click fix.</param>
public sealed record Substitution(string From, string To);

/// <summary>Substitution: a word with a preferred replacement; each finding carries the fix.</summary>
public sealed record SubstitutionRule : StyleRule
{
    /// <summary>The swaps, in order.</summary>
    public required ValueList<Substitution> Swap { get; init; }

    /// <inheritdoc />
    public override string Kind => "substitution";
}

/// <summary>
/// Capitalisation: terms that must be written exactly as listed. A match ignoring case (and
/// accents, unless <see cref="StyleRule.IgnoreAccents"/> is false) that is written differently is a
/// finding with the exact term as its fix.
/// </summary>
public sealed record CapitalizationRule : StyleRule
{
    /// <summary>The terms, exactly as they must be written.</summary>
    public required ValueList<string> Terms { get; init; }

    /// <inheritdoc />
    public override string Kind => "capitalization";
}

/// <summary>Built-in tokens an occurrence rule can count.</summary>
public enum OccurrenceToken
{
    /// <summary>Count the rule's own tokens and patterns.</summary>
    Custom = 0,

    /// <summary>Hashtags: <c>#</c> then letters, digits or underscores, not inside a word.</summary>
    Hashtag,

    /// <summary>Mentions: <c>@name</c>, <c>@name@instance</c>, <c>@handle.bsky.social</c>; not e-mail addresses.</summary>
    Mention,

    /// <summary>Links: <c>http://</c>, <c>https://</c> or <c>www.</c> up to the next space.</summary>
    Link,

    /// <summary>Emoji: each user-perceived emoji (a grapheme cluster), flags and skin tones included.</summary>
    Emoji,

    /// <summary>Exclamation marks, each one counted.</summary>
    Exclamation,
}

/// <summary>Occurrence: at most and/or at least N of a token in each field.</summary>
public sealed record OccurrenceRule : StyleRule
{
    /// <summary>What to count; <see cref="OccurrenceToken.Custom"/> counts <see cref="Match"/>.</summary>
    public OccurrenceToken Token { get; init; } = OccurrenceToken.Custom;

    /// <summary>The tokens and patterns to count when <see cref="Token"/> is Custom.</summary>
    public TextMatcher Match { get; init; } = TextMatcher.None;

    /// <summary>The most allowed in one field, if limited.</summary>
    public int? Max { get; init; }

    /// <summary>The fewest required in one field, if required.</summary>
    public int? Min { get; init; }

    /// <inheritdoc />
    public override string Kind => "occurrence";
}

/// <summary>
/// What triggers a conditional rule: any of the tokens or patterns appearing, and/or the
/// message being sponsored. When both are given, either triggers the rule.
/// </summary>
/// <param name="Match">Tokens and patterns whose appearance triggers the rule.</param>
/// <param name="Sponsored">Whether a sponsored message triggers the rule.</param>
public sealed record RuleCondition(TextMatcher Match, bool Sponsored = false);

/// <summary>
/// Conditional: if A appears (or the message is sponsored), B must appear somewhere in the
/// variant's checked fields. "#ad" requires a disclosure; a sponsored message requires "#ad".
/// </summary>
public sealed record ConditionalRule : StyleRule
{
    /// <summary>What triggers the rule.</summary>
    public required RuleCondition If { get; init; }

    /// <summary>What must then appear; any one of its tokens or patterns is enough.</summary>
    public required TextMatcher Then { get; init; }

    /// <inheritdoc />
    public override string Kind => "conditional";
}

/// <summary>Measurements a metric rule can bound.</summary>
public enum TextMetric
{
    /// <summary>Words in the longest sentence; each sentence over <see cref="MetricRule.Max"/> is a finding.</summary>
    SentenceWords = 0,

    /// <summary>
    /// Flesch reading ease of a field (0–100, higher is easier); a field under <see cref="MetricRule.Min"/> is one finding,
    /// which highlights the sentences whose own ease is under it (or the hardest sentence).
    /// </summary>
    Readability,
}

/// <summary>Metric: a measurement of each field with a ceiling and/or a floor.</summary>
public sealed record MetricRule : StyleRule
{
    /// <summary>What to measure.</summary>
    public required TextMetric Metric { get; init; }

    /// <summary>The highest allowed value, if bounded.</summary>
    public double? Max { get; init; }

    /// <summary>The lowest allowed value, if bounded.</summary>
    public double? Min { get; init; }

    /// <summary>Fields with fewer words than this are not measured (readability of a 5-word post means little).</summary>
    public int MinWords { get; init; }

    /// <inheritdoc />
    public override string Kind => "metric";
}

/// <summary>Elements a required rule can demand.</summary>
public enum RequiredElement
{
    /// <summary>The rule's own tokens or patterns: any one must appear.</summary>
    Text = 0,

    /// <summary>The message's link (tracking parameters allowed), when the message has one.</summary>
    Link,

    /// <summary>The message's call to action, when the message has one.</summary>
    CallToAction,
}

/// <summary>Required element: the variant must contain the link, the call to action, or some text.</summary>
public sealed record RequiredRule : StyleRule
{
    /// <summary>What must appear.</summary>
    public required RequiredElement Element { get; init; }

    /// <summary>When <see cref="Element"/> is Text: the tokens or patterns, any one of which must appear.</summary>
    public TextMatcher Match { get; init; } = TextMatcher.None;

    /// <inheritdoc />
    public override string Kind => "required";
}

/// <summary>
/// Key facts: every fact the author marked on the message (a date, a price, a product name)
/// must appear in every variant, matched on word boundaries with the rule's case and accent settings.
/// </summary>
public sealed record KeyFactsRule : StyleRule
{
    /// <inheritdoc />
    public override string Kind => "key-facts";
}
