namespace Publisher.Worker.Publishing;

/// <summary>
/// When this worker's <see cref="DueDispatcher"/> last claimed due variants. The sweep reads it to leave its
/// housekeeping (re-enqueueing overdue variants, deleting stale jobs) until a burst of publishing is over.
/// </summary>
public sealed class DispatchActivity
{
    /// <summary>A dispatcher that claimed something this recently is taken to be working through a burst.</summary>
    public static readonly TimeSpan BusyWindow = TimeSpan.FromSeconds(3);

    private long _lastClaimTicks;

    public void Claimed(DateTimeOffset at) => Interlocked.Exchange(ref _lastClaimTicks, at.UtcTicks);

    public bool BusySince(DateTimeOffset since) => Interlocked.Read(ref _lastClaimTicks) >= since.UtcTicks;
}
