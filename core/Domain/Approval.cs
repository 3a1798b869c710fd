namespace Publisher.Core.Domain;

public enum ApprovalDecision
{
    Approved,
    Rejected,
}

/// <summary>An approver's decision on exactly the content whose hash it carries.</summary>
public class Approval
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid VariantId { get; set; }
    public required string ApproverId { get; set; }
    public AppUser? Approver { get; set; }
    public required string ContentHash { get; set; }
    public ApprovalDecision Decision { get; set; }
    public string? Comment { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>Set when a later change to the content voided this approval.</summary>
    public DateTimeOffset? VoidedAt { get; set; }
}
