namespace Publisher.Core.Domain;

/// <summary>
/// One thing that happened, recorded forever. The table is append-only: the code has no update or
/// delete path and a database trigger refuses both.
/// </summary>
public class AuditEvent
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>The user who acted, or null for the system (the worker, a scheduled check).</summary>
    public string? ActorId { get; set; }
    public required string ActorName { get; set; }
    public required string EntityType { get; set; }
    public required string EntityId { get; set; }
    public required string Action { get; set; }
    public string? FromState { get; set; }
    public string? ToState { get; set; }
    public string? Reason { get; set; }
}
