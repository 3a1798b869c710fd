namespace Publisher.Core.Publishing;

/// <summary>How the worker publishes. Bound from the section "Publishing" (environment: Publishing__GraceWindow=00:15:00, …).</summary>
public sealed class PublishingOptions
{
    public const string SectionName = "Publishing";

    /// <summary>
    /// A variant that comes due while no worker runs is still published when a worker starts within this
    /// long of its time; later than that it is marked Missed and its author told.
    /// </summary>
    public TimeSpan GraceWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest one network call may take. An attempt open for longer than this belonged to a worker that died.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How many times a transient failure is tried in all before the variant fails.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The first back-off after a transient failure; each next one doubles, with jitter, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often each worker sweeps for variants whose job was lost, came due while it was down, or died mid-call.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often each worker looks for variants that have come due, and how many it publishes at once.</summary>
    public TimeSpan DispatchInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    public int DispatchConcurrency { get; set; } = 32;

    /// <summary>
    /// How far ahead of a variant's time a worker claims it (checks it and records the attempt), so that the
    /// request itself leaves on the second. At most 5 s; the request never leaves early.
    /// </summary>
    public TimeSpan ClaimLead { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long after a variant's time its Hangfire job fires, if no dispatcher has published it by then.</summary>
    public TimeSpan JobBackstopDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often each worker writes its heartbeat, and how long without one before it is taken for dead: its
    /// claims are then taken over by the other workers (those it never sent are simply published; those that
    /// may have gone out are reconciled first). Until then nobody else touches an attempt it holds.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan WorkerDeadAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The address the public blog and links back to the app are built from (environment: PUBLISHER_URL).</summary>
    public string PublicUrl { get; set; } = "http://127.0.0.1:5080";
}
