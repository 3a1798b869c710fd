namespace Publisher.Core.Jobs;

/// <summary>
/// The job the worker runs when a variant comes due. The web app only enqueues it; the implementation
/// lives in the worker. It takes the variant's id and the schedule token it was created with, and is safe to run twice:
/// a job whose token no longer matches the variant's is stale and does nothing.
/// </summary>
public interface IPublishVariantJob
{
    // A job that throws (a database outage) is tried again a few times; the worker's sweep covers the rest.
    [Hangfire.AutomaticRetry(Attempts = 3, DelaysInSeconds = [5, 15, 30])]
    Task PublishAsync(Guid variantId, Guid scheduleToken, CancellationToken cancellationToken);
}
