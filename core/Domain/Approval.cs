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

    /// <summary>The text that was reviewed, so a re-submission can be shown as a diff against it.</summary>
    public string? ContentText { get; set; }
    public ApprovalDecision Decision { get; set; }

    /// <summary>Which step of the account's approval policy this decision was for (0 = the first).</summary>
    public int Step { get; set; }

    /// <summary>The role the approver acted in for that step.</summary>
    public string? Role { get; set; }
    public string? Comment { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>Set when a later change to the content voided this approval.</summary>
    public DateTimeOffset? VoidedAt { get; set; }
}
