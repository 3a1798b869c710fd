using System.Runtime.CompilerServices;

namespace Publisher.StyleGuide;

/// <summary>
/// The service the web and the worker use: compiles each guide once and lints variants with it.
/// Registered as a singleton by <see cref="StyleGuideServiceCollectionExtensions.AddStyleGuide"/>; thread-safe.
/// </summary>
public sealed class StyleGuideLinter
{
    private const int VersionsKept = 8;
    private readonly ConditionalWeakTable<BrandStyleGuide, CompiledStyleGuide> _byInstance = [];
    private readonly Lock _lock = new();
    private readonly LinkedList<CompiledStyleGuide> _recent = new();

    /// <summary>
    /// The compiled form of <paramref name="guide"/>: reused for the same instance, or for an equal
    /// guide (same version) compiled recently, so re-reading the guide per request stays cheap.
    /// </summary>
    /// <param name="guide">The guide.</param>
    public CompiledStyleGuide Compile(BrandStyleGuide guide)
    {
        ArgumentNullException.ThrowIfNull(guide);
        if (_byInstance.TryGetValue(guide, out var compiled))
        {
            return compiled;
        }
        var version = guide.ComputeVersion();
        lock (_lock)
        {
            compiled = _recent.FirstOrDefault(c => c.Version == version);
        }
        if (compiled is null)
        {
            compiled = CompiledStyleGuide.Compile(guide);
            lock (_lock)
            {
                _recent.AddFirst(compiled);
                while (_recent.Count > VersionsKept)
                {
                    _recent.RemoveLast();
                }
            }
        }
        _byInstance.AddOrUpdate(guide, compiled);
        return compiled;
    }

    /// <summary>Lints one variant against a guide.</summary>
    /// <param name="guide">The guide.</param>
    /// <param name="input">The variant.</param>
    public LintResult Lint(BrandStyleGuide guide, LintInput input) => Compile(guide).Lint(input);
}
