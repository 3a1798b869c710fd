namespace Publisher.Core.Domain;

/// <summary>A style guide warning on a variant that a person accepted, with the reason they gave.</summary>
public class WarningAcceptance
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid VariantId { get; set; }

    /// <summary>The finding's stable key (rule, field and matched text), so it survives edits elsewhere.</summary>
    public required string FindingKey { get; set; }
    public required string Reason { get; set; }
    public required string AcceptedById { get; set; }
    public required string AcceptedByName { get; set; }
    public DateTimeOffset At { get; set; }
}
