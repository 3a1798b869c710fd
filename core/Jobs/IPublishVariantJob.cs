namespace Publisher.Core.Jobs;

/// <summary>
/// The job the worker runs when a variant comes due. The web app only enqueues it; the implementation
/// lives in the worker. It takes the id only and is safe to run twice.
/// </summary>
public interface IPublishVariantJob
{
    Task PublishAsync(Guid variantId, CancellationToken cancellationToken);
}
