using System.Collections.Concurrent;

namespace Publisher.Worker.Publishing;

/// <summary>
/// The attempts this worker holds: claimed, and not yet settled in the database. While the worker's heartbeat is
/// fresh nobody else touches its attempts, so one it does not hold (a claim whose commit failed to answer though
/// it was made, a send that broke off before its request left) would wait for nobody. The sweep finds such
/// attempts of its own worker once they are <see cref="LostAfter"/> old, and the publish job then takes them over
/// as it would a dead worker's.
/// </summary>
public sealed class ClaimsInHand
{
    /// <summary>Older than any claim's way from its transaction to this set (claims are made at most a few seconds ahead).</summary>
    public static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<Guid, byte> _attempts = new();

    public int Count => _attempts.Count;

    public void Hold(Guid attemptId) => _attempts.TryAdd(attemptId, 0);

    /// <summary>Settled (its outcome is written), or handed over (another worker took it, or the sweep is to).</summary>
    public void Release(Guid attemptId) => _attempts.TryRemove(attemptId, out _);

    public bool Holds(Guid attemptId) => _attempts.ContainsKey(attemptId);
}
