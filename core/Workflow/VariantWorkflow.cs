using Publisher.Core.Data;
using Publisher.Core.Domain;

namespace Publisher.Core.Workflow;

/// <summary>
/// Moves variants between states. Every move is checked against <see cref="VariantTransitions"/> and
/// writes an audit event in the same unit of work, so a state never changes without a record of it.
/// The caller saves the context; a concurrent edit then fails on the variant's version.
/// </summary>
public sealed class VariantWorkflow(PublisherDbContext db, TimeProvider clock)
{
    public WorkflowResult Transition(Variant variant, VariantState to, Actor actor, string? reason = null)
    {
        var refusal = VariantTransitions.Refusal(variant.State, to, reason);
        if (refusal is not null)
            return WorkflowResult.Refused(refusal);

        var now = clock.GetUtcNow();
        var from = variant.State;
        variant.State = to;
        variant.UpdatedAt = now;
        db.AuditEvents.Add(new AuditEvent
        {
            At = now,
            ActorId = actor.UserId,
            ActorName = actor.Name,
            EntityType = nameof(Variant),
            EntityId = variant.Id.ToString(),
            Action = "transition",
            FromState = from.ToString(),
            ToState = to.ToString(),
            Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(),
        });
        return WorkflowResult.Ok;
    }

    /// <summary>
    /// What goes out changed (an edit, a re-render): any approval of the old content is void, and a variant
    /// that was approved or scheduled goes back to review. Call after the new content hash is set.
    /// </summary>
    public void ContentChanged(Variant variant, Actor actor, string why)
    {
        var now = clock.GetUtcNow();
        var voided = false;
        foreach (var approval in variant.Approvals.Where(a => a.VoidedAt is null && a.ContentHash != variant.ContentHash))
        {
            approval.VoidedAt = now;
            voided = true;
        }
        if (variant.State is VariantState.Approved or VariantState.Scheduled)
            Transition(variant, VariantState.InReview, actor, $"{why}: the approval no longer matches what would be published");
        else if (voided)
            Record(nameof(Variant), variant.Id.ToString(), "approval voided", actor, why);
    }

    /// <summary>Records something that happened to an entity without a state change (a reschedule, an edit).</summary>
    public void Record(string entityType, string entityId, string action, Actor actor, string? reason = null)
    {
        db.AuditEvents.Add(new AuditEvent
        {
            At = clock.GetUtcNow(),
            ActorId = actor.UserId,
            ActorName = actor.Name,
            EntityType = entityType,
            EntityId = entityId,
            Action = action,
            Reason = reason,
        });
    }
}
