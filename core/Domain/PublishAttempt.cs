namespace Publisher.Core.Domain;

/// <summary>
/// One try at publishing a variant. It is written before the network is called and completed after, so a
/// process that dies in between leaves an open attempt that the next run reconciles instead of posting again.
/// </summary>
public class PublishAttempt
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid VariantId { get; set; }
    public int Number { get; set; }

    /// <summary>The content hash that was approved and is being sent.</summary>
    public required string ContentHash { get; set; }

    /// <summary>Sent where the network supports it (Mastodon's Idempotency-Key, the webhook's delivery id), stable across retries of the same content.</summary>
    public required string IdempotencyKey { get; set; }

    /// <summary>Which worker process made the attempt (machine:pid:instance), as its heartbeat in <see cref="PublishWorker"/> names it.</summary>
    public required string Worker { get; set; }
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>
    /// When the request was let go: written (for a whole round of sends at once) before anything leaves the
    /// machine. Null means the request certainly never left, so a worker taking over from a dead one sends it
    /// without reconciling first; set means it may have reached the network.
    /// </summary>
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public PublishOutcome? Outcome { get; set; }
    public int? HttpStatus { get; set; }

    /// <summary>What the network said, in its own words where it gave any.</summary>
    public string? Detail { get; set; }
}

public enum PublishOutcome
{
    Published,
    /// <summary>A timeout, 5xx or 429: tried again later.</summary>
    Transient,
    /// <summary>400, 401, 403, 422 and the like: trying again would not help.</summary>
    Permanent,
    /// <summary>The attempt was interrupted and the network cannot tell whether the post went out.</summary>
    Unknown,
    /// <summary>Claimed ahead of its time, the request never left: the worker stopped first. Nothing was posted.</summary>
    NotSent,
}
