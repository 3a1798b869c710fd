using System.Collections.Concurrent;
using Publisher.Templates.Diagnostics;
using Scriban;
using Scriban.Parsing;

namespace Publisher.Templates.Rendering;

/// <summary>A parsed template and the syntax diagnostics of its source.</summary>
/// <param name="Template">The parsed template, or null when the source has syntax errors.</param>
/// <param name="Diagnostics">Syntax errors and warnings with 1-based line and column.</param>
public sealed record ParsedTemplate(Template? Template, IReadOnlyList<Diagnostic> Diagnostics);

/// <summary>
/// Parsed templates keyed by their source text, so each distinct template (default or brand-edited)
/// is parsed once per process. Thread-safe. Bounded: past <see cref="MaxEntries"/> it starts over.
/// </summary>
public sealed class TemplateCache
{
    /// <summary>Most templates kept at once.</summary>
    public const int MaxEntries = 2_000;

    private readonly ConcurrentDictionary<string, ParsedTemplate> _entries = new(StringComparer.Ordinal);

    /// <summary>Number of parsed templates held.</summary>
    public int Count => _entries.Count;

    /// <summary>Returns the parsed form of <paramref name="source"/>, parsing it on first use.</summary>
    public ParsedTemplate GetOrParse(string source)
    {
        if (_entries.TryGetValue(source, out var cached)) return cached;
        if (_entries.Count >= MaxEntries) _entries.Clear();
        return _entries.GetOrAdd(source, Parse);
    }

    /// <summary>Parses <paramref name="source"/> without caching it.</summary>
    public static ParsedTemplate Parse(string source)
    {
        Template template;
        try
        {
            template = Template.Parse(source, parserOptions: new ParserOptions { ExpressionDepthLimit = 100 });
        }
        catch (Exception ex)
        {
            return new ParsedTemplate(null, [Diagnostic.Error("template.syntax", $"The template could not be read: {ex.Message}")]);
        }
        var diagnostics = template.Messages
            .Select(m => new Diagnostic(
                m.Type == ParserMessageType.Error ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
                "template.syntax",
                m.Message,
                m.Span.Start.Line + 1,
                m.Span.Start.Column + 1))
            .ToList();
        return new ParsedTemplate(template.HasErrors ? null : template, diagnostics);
    }
}
