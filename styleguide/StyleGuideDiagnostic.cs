namespace Publisher.StyleGuide;

/// <summary>How serious a problem in a style guide is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Worth fixing, but the guide is usable (e.g. a scope names a channel Publisher does not know).</summary>
    Warning = 0,

    /// <summary>The guide cannot be used until this is fixed; an import with any error changes nothing.</summary>
    Error = 1,
}

/// <summary>A problem found in a style guide, saying where it is and what to do about it.</summary>
/// <param name="Severity">Whether the guide is still usable.</param>
/// <param name="Message">What is wrong and what to do, e.g. "Rule 'no-hype' has no message: add `message:` …".</param>
/// <param name="Path">Where in the guide, e.g. <c>rules[3].patterns[0]</c>; empty for the whole guide.</param>
/// <param name="Line">1-based line in the YAML, or 0 when the guide did not come from YAML.</param>
/// <param name="Column">1-based column in the YAML, or 0 when unknown.</param>
public sealed record StyleGuideDiagnostic(DiagnosticSeverity Severity, string Message, string Path, int Line = 0, int Column = 0)
{
    /// <summary>"line 12, column 5: message" (or just the message when there is no line).</summary>
    public override string ToString() => Line > 0 ? $"line {Line}, column {Column}: {Message}" : Message;
}

/// <summary>The outcome of reading a style guide from YAML.</summary>
/// <param name="Guide">The guide, or null when there was any error.</param>
/// <param name="Diagnostics">Errors and warnings, in document order.</param>
public sealed record StyleGuideParseResult(BrandStyleGuide? Guide, IReadOnlyList<StyleGuideDiagnostic> Diagnostics)
{
    /// <summary>Whether the YAML was read without errors (warnings allowed) and <see cref="Guide"/> is set.</summary>
    public bool Succeeded => Guide is not null;

    /// <summary>Only the errors.</summary>
    public IEnumerable<StyleGuideDiagnostic> Errors => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);
}
