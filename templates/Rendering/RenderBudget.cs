using System.Diagnostics;

namespace Publisher.Templates.Rendering;

/// <summary>
/// The work one request may ask of the renderer, shared by every variant it renders: a total of output
/// characters and a wall-clock deadline (<see cref="RenderLimits.MaxRequestOutputCharacters"/>,
/// <see cref="RenderLimits.RequestTimeout"/>). Each render also keeps to its own time limit, whichever ends
/// first; a variant asked for once the budget is spent comes back with an error instead of being rendered,
/// so no request can make the app build hundreds of megabytes or run for minutes. Thread-safe.
/// </summary>
public sealed class RenderBudget
{
    private long _remaining;

    /// <summary>Starts a budget now, with the amounts of <paramref name="limits"/>.</summary>
    public RenderBudget(RenderLimits limits)
    {
        Limits = limits;
        _remaining = limits.MaxRequestOutputCharacters;
        Deadline = Stopwatch.GetTimestamp() + (long)(limits.RequestTimeout.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>The limits the budget was made from.</summary>
    public RenderLimits Limits { get; }

    /// <summary>Output characters still available.</summary>
    public long RemainingCharacters => Interlocked.Read(ref _remaining);

    /// <summary>True once the characters are used up or the deadline has passed.</summary>
    public bool IsSpent => RemainingCharacters <= 0 || Stopwatch.GetTimestamp() > Deadline;

    /// <summary>When the budget's time ends, as a <see cref="Stopwatch"/> timestamp.</summary>
    internal long Deadline { get; }

    internal void Spend(long characters) => Interlocked.Add(ref _remaining, -characters);
}
