using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;

namespace Publisher.Core.Review;

/// <summary>
/// Review and approval. An approval means "this exact content, on this channel": it carries the content
/// hash, and only approvals carrying the current hash count. Nobody approves a variant they wrote or last
/// edited. Each channel account's policy says how many approvals, from which roles, in which order.
/// </summary>
public sealed class ApprovalService(PublisherDbContext db, VariantWorkflow workflow, Notifier notifier, TimeProvider clock)
{
    /// <summary>Loads a variant with everything a review decision needs.</summary>
    public Task<Variant?> FindAsync(Guid variantId, CancellationToken cancellationToken = default) =>
        db.Variants
            .Include(v => v.Message)
            .Include(v => v.ChannelAccount)
            .Include(v => v.Approvals)
            .SingleOrDefaultAsync(v => v.Id == variantId, cancellationToken);

    /// <summary>Why the variant cannot be sent to review now, or null: the page offers "Submit" only when this is null.</summary>
    public static string? SubmitRefusal(Variant variant)
    {
        if (variant.State is not (VariantState.Draft or VariantState.Rejected or VariantState.Missed))
            return $"It is {VariantTransitions.Describe(variant.State)}: only a draft, a rejected or a missed variant is sent to review.";
        return Blocker(variant) is { } blocked ? blocked + " before submitting it for review." : null;
    }

    /// <summary>Sends a variant to review. Style guide or rendering errors block it.</summary>
    public async Task<WorkflowResult> SubmitAsync(Variant variant, Actor actor, CancellationToken cancellationToken = default)
    {
        if (Blocker(variant) is { } blocked)
            return WorkflowResult.Refused(blocked + " before submitting it for review.");
        var result = workflow.Transition(variant, VariantState.InReview, actor, "submitted for review");
        if (!result.Succeeded)
            return result;
        await TellNextStepAsync(variant, step: 0, except: [actor.UserId ?? ""], cancellationToken);
        return result;
    }

    /// <summary>
    /// Why this person's approval would be refused now, or null. The variant page offers "Approve" only when this is
    /// null and otherwise shows the reason, so nobody is offered a click that cannot succeed.
    /// </summary>
    public static string? ApproveRefusal(Variant variant, Actor approver, IReadOnlyCollection<string> approverRoles)
    {
        if (variant.State != VariantState.InReview)
            return $"Only a variant in review can be approved; this one is {VariantTransitions.Describe(variant.State)}.";
        if (SelfReview(variant, approver) is { } self)
            return self;
        if (Blocker(variant) is { } blocked)
            return blocked + " before it can be approved.";
        var steps = Steps(variant);
        var valid = ValidApprovals(variant, ContentHash.Of(variant)).ToList();
        if (valid.Any(a => a.ApproverId == approver.UserId))
            return "You already approved this content; the next step needs someone else.";
        var step = valid.Count;
        return approverRoles.Contains(steps[step]) ? null : $"Step {step + 1} of {steps.Count} for {variant.ChannelAccount?.Name} needs a {steps[step]}; you are not one.";
    }

    /// <summary>Why this person's rejection would be refused (they wrote or last edited it), or null.</summary>
    public static string? RejectRefusal(Variant variant, Actor reviewer) => SelfReview(variant, reviewer)?.Replace("approve", "review");

    /// <summary>Approves the current content for the policy's next step; the last step makes the variant approved.</summary>
    public async Task<WorkflowResult> ApproveAsync(Variant variant, Actor approver, IReadOnlyCollection<string> approverRoles, CancellationToken cancellationToken = default)
    {
        if (ApproveRefusal(variant, approver, approverRoles) is { } refused)
            return WorkflowResult.Refused(refused);

        // The hash is recomputed from the content, not trusted from the column.
        var hash = ContentHash.Of(variant);
        var steps = Steps(variant);
        var step = ValidApprovals(variant, hash).Count();
        var role = steps[step];

        // Added through the set, not the navigation: an entity with its key already set that is found
        // through a navigation would be taken for an existing row.
        db.Approvals.Add(new Approval
        {
            VariantId = variant.Id, ApproverId = approver.UserId!, ContentHash = hash, ContentText = variant.EffectiveText, Decision = ApprovalDecision.Approved,
            Step = step, Role = role, At = clock.GetUtcNow(),
        });
        var author = variant.Message!.AuthorId;
        await notifier.ReviewDecidedAsync(variant, cancellationToken);
        if (step + 1 < steps.Count)
        {
            workflow.Record(nameof(Variant), variant.Id.ToString(), "approved step", approver, $"step {step + 1} of {steps.Count} as {role}");
            await TellNextStepAsync(variant, step + 1, except: [approver.UserId!, author], cancellationToken);
            return WorkflowResult.Ok;
        }

        var result = workflow.Transition(variant, VariantState.Approved, approver, steps.Count > 1 ? $"approved ({steps.Count} steps)" : "approved");
        if (result.Succeeded)
            notifier.Tell(author, $"{approver.Name} approved {AccountWording.VariantOf(variant.ChannelAccount?.Name, variant.Message.Title)}.", Notifier.VariantLink(variant.Id));
        return result;
    }

    /// <summary>Rejects the variant back to its author; the comment is required and kept on the variant.</summary>
    public async Task<WorkflowResult> RejectAsync(Variant variant, Actor reviewer, string comment, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(comment))
            return WorkflowResult.Refused("Say what needs to change: rejecting needs a comment for the author.");
        if (RejectRefusal(variant, reviewer) is { } self)
            return WorkflowResult.Refused(self);
        var result = workflow.Transition(variant, VariantState.Rejected, reviewer, comment.Trim());
        if (!result.Succeeded)
            return result;
        var now = clock.GetUtcNow();
        db.Approvals.Add(new Approval
        {
            VariantId = variant.Id, ApproverId = reviewer.UserId!, ContentHash = ContentHash.Of(variant), ContentText = variant.EffectiveText, Decision = ApprovalDecision.Rejected,
            Comment = comment.Trim(), At = now, Step = ValidApprovals(variant, ContentHash.Of(variant)).Count(),
        });
        db.Comments.Add(new Comment { VariantId = variant.Id, AuthorId = reviewer.UserId!, Body = comment.Trim(), At = now });
        await notifier.ReviewDecidedAsync(variant, cancellationToken);
        notifier.Tell(variant.Message!.AuthorId, $"{reviewer.Name} rejected {AccountWording.VariantOf(variant.ChannelAccount?.Name, variant.Message.Title)}: {comment.Trim()}",
            Notifier.VariantLink(variant.Id));
        return result;
    }

    /// <summary>
    /// True only when every step of the account's policy has an approval carrying the hash of the content
    /// as it is now. The worker asks this right before publishing.
    /// </summary>
    public static bool IsFullyApproved(Variant variant)
    {
        var hash = ContentHash.Of(variant);
        var valid = ValidApprovals(variant, hash).ToList();
        var steps = Steps(variant);
        return valid.Count >= steps.Count && steps.Select((role, i) => valid.Any(a => a.Step == i && a.Role == role)).All(ok => ok);
    }

    public static IReadOnlyList<string> Steps(Variant variant) =>
        variant.ChannelAccount?.ApprovalSteps is { Count: > 0 } steps ? steps : [Roles.Approver];

    private static IEnumerable<Approval> ValidApprovals(Variant variant, string hash) =>
        variant.Approvals.Where(a => a.Decision == ApprovalDecision.Approved && a.VoidedAt is null && a.ContentHash == hash).OrderBy(a => a.Step);

    private static string? SelfReview(Variant variant, Actor actor)
    {
        if (actor.UserId is null)
            return "Reviews are made by people.";
        if (variant.Message?.AuthorId == actor.UserId)
            return "You wrote this message, so someone else must approve its variants.";
        if (variant.LastEditedById == actor.UserId)
            return "You edited this variant last, so someone else must approve it.";
        return null;
    }

    private static string? Blocker(Variant variant) =>
        variant.HasRenderErrors ? "The variant has errors (see its diagnostics): fix them"
        : variant.HasStyleErrors ? "The variant breaks the style guide (see its findings): fix the errors"
        : null;

    private async Task TellNextStepAsync(Variant variant, int step, IReadOnlyCollection<string> except, CancellationToken cancellationToken)
    {
        var steps = Steps(variant);
        var role = steps[Math.Min(step, steps.Count - 1)];
        var allExcept = except.Append(variant.Message?.AuthorId ?? "").ToList();
        await notifier.TellReviewAsync(role, variant, steps.Count > 1 ? $"step {step + 1} of {steps.Count}" : null, allExcept, cancellationToken);
    }
}
