namespace Publisher.Templates.Diagnostics;

/// <summary>How serious a <see cref="Diagnostic"/> is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Worth knowing; nothing to fix.</summary>
    Info,
    /// <summary>The variant can go out, but someone should look at it.</summary>
    Warning,
    /// <summary>The variant cannot go out as it is.</summary>
    Error,
}

/// <summary>
/// One finding about a template, a message or a rendered variant. Rendering never throws on
/// content: every problem the content or template causes comes back as a diagnostic.
/// </summary>
/// <param name="Severity">How serious the finding is; any <see cref="DiagnosticSeverity.Error"/> makes the result unsuccessful.</param>
/// <param name="Code">A stable identifier for the kind of finding (for example <c>template.syntax</c>), for UIs and tests.</param>
/// <param name="Message">What was wrong and what to do, written for the person editing the message or template.</param>
/// <param name="Line">1-based line in the template source, when the finding points into a template.</param>
/// <param name="Column">1-based column in the template source, when the finding points into a template.</param>
public sealed record Diagnostic(DiagnosticSeverity Severity, string Code, string Message, int? Line = null, int? Column = null)
{
    /// <summary>Creates an error.</summary>
    public static Diagnostic Error(string code, string message, int? line = null, int? column = null) =>
        new(DiagnosticSeverity.Error, code, message, line, column);

    /// <summary>Creates a warning.</summary>
    public static Diagnostic Warning(string code, string message, int? line = null, int? column = null) =>
        new(DiagnosticSeverity.Warning, code, message, line, column);

    /// <summary>Creates an informational finding.</summary>
    public static Diagnostic Info(string code, string message) => new(DiagnosticSeverity.Info, code, message);

    /// <inheritdoc />
    public override string ToString() =>
        Line is null ? $"{Severity} {Code}: {Message}" : $"{Severity} {Code} ({Line},{Column}): {Message}";
}
