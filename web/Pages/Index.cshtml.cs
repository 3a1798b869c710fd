using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Web.Security;

namespace Publisher.Web.Pages;

/// <summary>
/// Where people land (after signing in, too): the calendar is the main screen, but an approver with variants waiting
/// for their step of the review lands on Approvals, where that work is.
/// </summary>
[Authorize(Policy = Policies.SignedIn)]
public class IndexModel(PublisherDbContext db) : PageModel
{
    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await HasReviewWorkAsync(db, User.Id(), User.Roles(), cancellationToken) ? RedirectToPage("/Approvals/Index") : RedirectToPage("/Calendar/Index");

    /// <summary>
    /// Whether a variant in review waits for a step this person may take: the step's role is one of theirs, and they
    /// neither wrote the message, nor edited the variant last, nor approved this content already.
    /// </summary>
    public static async Task<bool> HasReviewWorkAsync(PublisherDbContext db, string userId, IReadOnlyList<string> roles, CancellationToken cancellationToken = default)
    {
        if (!roles.Contains(Roles.Approver) && !roles.Contains(Roles.BrandManager))
            return false;
        var waiting = await db.Variants.AsNoTracking()
            .Where(v => v.State == VariantState.InReview && v.Message!.AuthorId != userId && (v.LastEditedById == null || v.LastEditedById != userId))
            .OrderBy(v => v.ScheduledAt)
            .Take(500)
            .Select(v => new
            {
                Steps = v.ChannelAccount!.ApprovalSteps,
                Done = v.Approvals.Count(a => a.Decision == ApprovalDecision.Approved && a.VoidedAt == null && a.ContentHash == v.ContentHash),
                Mine = v.Approvals.Any(a => a.ApproverId == userId && a.Decision == ApprovalDecision.Approved && a.VoidedAt == null && a.ContentHash == v.ContentHash),
            })
            .ToListAsync(cancellationToken);
        return waiting.Any(w => !w.Mine && (w.Steps.Count == 0 ? [Roles.Approver] : w.Steps).ElementAtOrDefault(w.Done) is { } role && roles.Contains(role));
    }
}
