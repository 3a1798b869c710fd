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
    /// Longest a template may run before it is stopped, in wall-clock time (default 2 s). A default
    /// template takes well under a millisecond; the limit is set far above that because it is measured
    /// on the wall clock, which a busy machine or the first, not yet compiled, render can stretch. The
    /// loop, recursion, output and memory limits stop runaway templates long before it in practice.
    /// </summary>
    public TimeSpan RenderTimeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Most parts a thread may be split into (default 25).</summary>
    public int MaxThreadParts { get; init; } = 25;

    /// <summary>The default limits.</summary>
    public static RenderLimits Default { get; } = new();
}
