namespace Publisher.StyleGuide;

/// <summary>
/// A brand's style guide: who the brand is (<see cref="Identity"/>), the words it uses and
/// avoids (<see cref="Vocabulary"/>) and the checks every channel variant must pass
/// (<see cref="Rules"/>). Immutable; compares by value.
/// </summary>
/// <remarks>
/// Named <c>BrandStyleGuide</c> rather than <c>StyleGuide</c> so that it does not collide with
/// the <c>Publisher.StyleGuide</c> namespace in callers under <c>Publisher.*</c>.
/// </remarks>
public sealed record BrandStyleGuide
{
    /// <summary>A guide with nothing in it. Valid: every variant passes it with a score of 100.</summary>
    public static BrandStyleGuide Empty { get; } = new();

    /// <summary>Mission, voice and tone, palette, typography.</summary>
    public BrandIdentity Identity { get; init; } = BrandIdentity.Empty;

    /// <summary>Brand names, preferred terms and banned terms. Each is checked in every variant.</summary>
    public BrandVocabulary Vocabulary { get; init; } = BrandVocabulary.Empty;

    /// <summary>The rules, in the order they are reported.</summary>
    public ValueList<StyleRule> Rules { get; init; } = ValueList<StyleRule>.Empty;

    /// <summary>
    /// A version string for this guide's content (<c>sha256:</c> and 64 hex digits of the
    /// canonical YAML from <see cref="StyleGuideYaml.Write"/>). Equal guides have equal versions;
    /// record it beside a lint result to know which guide produced it.
    /// </summary>
    public string ComputeVersion() => StyleGuideYaml.ComputeVersion(this);
}

/// <summary>Who the brand is. None of this is checked by the linter; it is reference for writers.</summary>
public sealed record BrandIdentity
{
    /// <summary>No identity given.</summary>
    public static BrandIdentity Empty { get; } = new();

    /// <summary>The brand's display name, e.g. "Northwind Coffee".</summary>
    public string? Name { get; init; }

    /// <summary>The mission statement.</summary>
    public string? Mission { get; init; }

    /// <summary>Voice and tone, with examples of what to write and what not to.</summary>
    public BrandVoice Voice { get; init; } = BrandVoice.Empty;

    /// <summary>The colour palette.</summary>
    public ValueList<ColorSwatch> Palette { get; init; } = ValueList<ColorSwatch>.Empty;

    /// <summary>Typefaces and where each is used.</summary>
    public ValueList<Typeface> Typography { get; init; } = ValueList<Typeface>.Empty;

    /// <summary>
    /// Hosts (like <c>cdn.northwind.example</c>) whose https images the brand's email and blog may show, besides
    /// the images uploaded to Publisher. Every other image is removed from what goes out.
    /// </summary>
    public ValueList<string> ImageHosts { get; init; } = ValueList<string>.Empty;
}

/// <summary>The brand's voice and tone.</summary>
public sealed record BrandVoice
{
    /// <summary>No voice given.</summary>
    public static BrandVoice Empty { get; } = new();

    /// <summary>A sentence or two on how the brand sounds.</summary>
    public string? Summary { get; init; }

    /// <summary>Short traits, e.g. "Warm", "Plain-spoken".</summary>
    public ValueList<string> Traits { get; init; } = ValueList<string>.Empty;

    /// <summary>Examples of writing in the brand's voice.</summary>
    public ValueList<string> Do { get; init; } = ValueList<string>.Empty;

    /// <summary>Examples of writing the brand avoids.</summary>
    public ValueList<string> Dont { get; init; } = ValueList<string>.Empty;
}

/// <summary>One colour of the palette.</summary>
/// <param name="Name">The colour's name, e.g. "Roast Brown".</param>
/// <param name="Hex">The colour as <c>#RRGGBB</c> (or <c>#RGB</c>).</param>
/// <param name="Usage">Where the colour is used, if said.</param>
public sealed record ColorSwatch(string Name, string Hex, string? Usage = null);

/// <summary>One typeface and its role.</summary>
/// <param name="Role">Where it is used, e.g. "Headings".</param>
/// <param name="Family">The font family, e.g. "Fraunces".</param>
/// <param name="Fallback">The CSS fallback stack, if said.</param>
/// <param name="Notes">Weights, sizes or other notes, if said.</param>
public sealed record Typeface(string Role, string Family, string? Fallback = null, string? Notes = null);

/// <summary>The brand's words: each entry is checked in every variant on every channel.</summary>
public sealed record BrandVocabulary
{
    /// <summary>No vocabulary.</summary>
    public static BrandVocabulary Empty { get; } = new();

    /// <summary>Brand and product names with their exact spelling and capitalisation.</summary>
    public ValueList<BrandName> BrandNames { get; init; } = ValueList<BrandName>.Empty;

    /// <summary>Preferred terms with the words to avoid for each.</summary>
    public ValueList<PreferredTerm> Preferred { get; init; } = ValueList<PreferredTerm>.Empty;

    /// <summary>Terms never to use.</summary>
    public ValueList<BannedTerm> Banned { get; init; } = ValueList<BannedTerm>.Empty;
}

/// <summary>
/// A brand or product name. Any occurrence that matches it ignoring case and accents but is
/// not written exactly like <see cref="Name"/>, and any listed misspelling, is a finding
/// (rule id <c>vocabulary.brand-names</c>) whose fix is the exact name.
/// </summary>
/// <param name="Name">The name exactly as it must be written, e.g. "Northwind Coffee".</param>
/// <param name="Misspellings">Other spellings writers get wrong, e.g. "North Wind Coffee".</param>
/// <param name="Severity">How serious a wrong spelling is; error when not said.</param>
public sealed record BrandName(string Name, ValueList<string>? Misspellings = null, Severity? Severity = null)
{
    /// <summary>Other spellings writers get wrong, never null.</summary>
    public ValueList<string> Misspellings { get; init; } = Misspellings ?? ValueList<string>.Empty;
}

/// <summary>
/// A preferred term and the words to avoid for it: "sign up", not "signup". Each avoided word
/// found is a finding (rule id <c>vocabulary.preferred</c>) whose fix is <see cref="Term"/>.
/// </summary>
/// <param name="Term">The term to use.</param>
/// <param name="Avoid">The words to replace with it.</param>
/// <param name="Note">Why, shown to writers with the finding.</param>
/// <param name="Severity">How serious using an avoided word is; warning when not said.</param>
public sealed record PreferredTerm(string Term, ValueList<string> Avoid, string? Note = null, Severity? Severity = null);

/// <summary>A term never to use (rule id <c>vocabulary.banned</c>).</summary>
/// <param name="Term">The term.</param>
/// <param name="Reason">Why, shown to writers with the finding.</param>
/// <param name="Severity">How serious using it is; error when not said.</param>
public sealed record BannedTerm(string Term, string? Reason = null, Severity? Severity = null);

/// <summary>How serious a finding is.</summary>
public enum Severity
{
    /// <summary>A hint; never blocks anything.</summary>
    Suggestion = 0,

    /// <summary>Should be fixed, or accepted with a written reason.</summary>
    Warning = 1,

    /// <summary>Blocks submitting for review, approving and publishing until fixed.</summary>
    Error = 2,
}
