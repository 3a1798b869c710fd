namespace Publisher.Templates.Rendering;

/// <summary>
/// The limits every render runs under. Content or a template that reaches one of them gets an error
/// diagnostic; nothing is thrown and no partial output is returned as a success.
/// </summary>
public sealed record RenderLimits
{
    /// <summary>Longest message body accepted, in UTF-16 characters (default 100,000, about 15,000 words).</summary>
    public int MaxBodyCharacters { get; init; } = 100_000;
    /// <summary>Longest template source accepted, in UTF-16 characters (default 50,000).</summary>
    public int MaxTemplateCharacters { get; init; } = 50_000;
    /// <summary>Most output a template may write, in UTF-16 characters (default 400,000).</summary>
    public int MaxOutputCharacters { get; init; } = 400_000;
    /// <summary>Most loop iterations a template may run in total, nested loops included (default 1,000).</summary>
    public int LoopLimit { get; init; } = 1_000;
    /// <summary>Deepest nesting of function calls a template may reach (default 20).</summary>
    public int RecursionLimit { get; init; } = 20;
    /// <summary>
    /// Longest one render or template check may take, every stage together (the message's Markdown, the
    /// template, checking and sanitizing its HTML, the layout), counted in the rendering thread's CPU time so
    /// that a busy machine does not stop a render that is doing little (default 2 s). A default template takes
    /// well under a millisecond; the loop, recursion, output, memory and HTML-depth limits stop runaway
    /// templates long before it in practice.
    /// </summary>
    public TimeSpan RenderTimeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Most parts a thread may be split into (default 25).</summary>
    public int MaxThreadParts { get; init; } = 25;

    /// <summary>
    /// Most characters all the variants of one <see cref="RenderBudget"/> (one request) may produce together
    /// (default 2,000,000): text, HTML, feed entry and payload counted. Past it, further variants are not rendered.
    /// </summary>
    public long MaxRequestOutputCharacters { get; init; } = 2_000_000;

    /// <summary>Longest one <see cref="RenderBudget"/> (one request) may spend rendering, in wall-clock time (default 10 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The default limits.</summary>
    public static RenderLimits Default { get; } = new();
}
