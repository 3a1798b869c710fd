namespace Publisher.Core.Domain;

/// <summary>
/// A running worker process, as its heartbeat shows: it writes <see cref="SeenAt"/> (the database's clock) every
/// few seconds. An attempt whose worker was seen recently belongs to it and to nobody else; the attempts of a
/// worker that stopped beating are taken over by the others.
/// </summary>
public class PublishWorker
{
    /// <summary>machine:pid:instance, unique per process even where process ids repeat (containers).</summary>
    public required string Name { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset SeenAt { get; set; }
}
