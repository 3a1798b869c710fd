using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Core.Review;
using Publisher.Core.Workflow;
using Publisher.Web.Pages.Calendar;
using Publisher.Web.Pages.Shared;
using Publisher.Templates.Model;
using Publisher.Web.Security;
using Publisher.Web.Time;

namespace Publisher.Web.Pages.Variants;

/// <summary>
/// One variant exactly as it will go out, with its findings, its review history and its comment thread;
/// authors submit it here and reviewers approve or reject it.
/// </summary>
[Authorize(Policy = Policies.SignedIn)]
public class DetailsModel(PublisherDbContext db, ApprovalService approvals, PublishScheduler scheduler, VariantWorkflow workflow, IAuthorizationService authorization,
    UserTimeZone userZone, TimeProvider clock, Rescheduler rescheduler, Publisher.Core.Analytics.AnalyticsReport analytics) : PageModel
{
    public sealed record ApprovalRow(string Who, string? Role, int Step, ApprovalDecision Decision, DateTime At, bool Voided, string? Comment);

    public sealed record CommentRow(string Who, string Body, DateTime At);

    public Variant Variant { get; private set; } = null!;
    public IReadOnlyList<FindingView> Findings { get; private set; } = [];
    public IReadOnlyList<FindingView> Diagnostics { get; private set; } = [];
    public IReadOnlyList<ApprovalRow> History { get; private set; } = [];
    public IReadOnlyList<CommentRow> Comments { get; private set; } = [];
    public IReadOnlyList<TextDiff.Piece>? ChangesSinceReview { get; private set; }
    public IReadOnlyList<string> Steps { get; private set; } = [];
    public int StepsDone { get; private set; }
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;
    public bool CanReview { get; private set; }
    public bool CanSubmit { get; private set; }
    public bool CanSchedule { get; private set; }
    public IReadOnlyList<PublishAttempt> Attempts { get; private set; } = [];

    /// <summary>Its clicks, what was credited to it, and its engagement (for a variant that has been out, or has tracked links).</summary>
    public Publisher.Core.Analytics.CreditedFigures? Performance { get; private set; }
    public Publisher.Core.Analytics.EngagementRow? Engagement { get; private set; }

    /// <summary>Whether the user may give the variant another time: authors, while nothing stops a move (see <see cref="MoveBlocked"/>).</summary>
    public bool CanMove { get; private set; }

    /// <summary>Why Move is not offered to an author, or null.</summary>
    public string? MoveBlocked { get; private set; }

    /// <summary>Why "Publish now" would be refused, or null when it is offered.</summary>
    public string? PublishNowBlocked { get; private set; }

    /// <summary>Why "Submit for review" would be refused for a variant an author could otherwise submit, or null.</summary>
    public string? SubmitBlocked { get; private set; }

    /// <summary>Held back by the style guide: the rules it breaks now. Empty when not held.</summary>
    public IReadOnlyList<FindingView> HeldFor { get; private set; } = [];

    /// <summary>A hand edit written against an older version of the message.</summary>
    public bool EditOutdated { get; private set; }

    /// <summary>Every posted part with the network's identifiers and link.</summary>
    public IReadOnlyList<PostedPart> Parts { get; private set; } = [];

    public sealed record Sibling(Guid Id, string Account, string Kind, VariantState State);

    /// <summary>The message's other variants, so the page leads back to the whole message.</summary>
    public IReadOnlyList<Sibling> Siblings { get; private set; } = [];

    public bool CanEditMessage { get; private set; }

    /// <summary>Why this reviewer's approval, or rejection, would be refused; null when it is offered.</summary>
    public string? ApproveBlocked { get; private set; }
    public string? RejectBlocked { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    [TempData]
    public string? Error { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id) => await LoadAsync(id) ? Page() : NotFound();

    public Task<IActionResult> OnPostSubmitAsync(Guid id) => ActAsync(id, Policies.Author, v => approvals.SubmitAsync(v, User.Actor()), "Sent for review.");

    public Task<IActionResult> OnPostApproveAsync(Guid id) => ActAsync(id, Policies.Review, v => approvals.ApproveAsync(v, User.Actor(), User.Roles()), "Approved.",
        v => scheduler.ScheduleIfApprovedAsync(v, User.Actor()));

    public Task<IActionResult> OnPostPublishNowAsync(Guid id) =>
        ScheduleActAsync(id, v => v.State is VariantState.Publishing or VariantState.Published
                ? Task.FromResult(WorkflowResult.Ok) // a worker took it already: what the person asked for is happening
                : scheduler.PublishNowAsync(v, User.Actor()),
            "Publishing now: the worker picks it up within seconds.", takenByWorkerIsDone: true);

    public Task<IActionResult> OnPostUnscheduleAsync(Guid id) =>
        ScheduleActAsync(id, v => scheduler.UnscheduleAsync(v, User.Actor()), "Unscheduled: it stays approved and will not go out until scheduled again.");

    public Task<IActionResult> OnPostCancelAsync(Guid id) =>
        ScheduleActAsync(id, v => scheduler.CancelAsync(v, User.Actor()), "Cancelled: it will not be published.");

    /// <summary>What the worker taking the variant means for an action that lost the race to it.</summary>
    private const string TakenByWorker = "A worker has just taken this post and is publishing it: it can no longer be changed. The result shows here once the network answers.";

    /// <summary>For a post whose outcome was unknown: a person looked on the network and found it there.</summary>
    public Task<IActionResult> OnPostMarkPublishedAsync(Guid id, string? url) =>
        ScheduleActAsync(id, async v =>
        {
            if (v.State != VariantState.NeedsAttention)
                return WorkflowResult.Refused("Only a variant that needs attention can be marked as published by hand.");
            if (!string.IsNullOrWhiteSpace(url) && !WebAddress.IsWeb(url))
                return WorkflowResult.Refused("The post's address must be a full web address starting with https://, without spaces, or left empty.");
            var result = workflow.Transition(v, VariantState.Published, User.Actor(), "a person found the post on the network");
            if (!result.Succeeded)
                return result;
            v.ExternalUrl = WebAddress.OrNull(url) ?? v.ExternalUrl;
            v.PublishedAt ??= clock.GetUtcNow();
            v.LastError = null;
            await db.SaveChangesAsync();
            return result;
        }, "Marked as published.");

    /// <summary>
    /// Authors (marketers, brand managers, admins) schedule; the scheduler saves. A save that loses a race to the worker
    /// (which claimed the post between this request's read and its save) is told apart from a person's concurrent edit:
    /// for "Publish now" the worker taking it is what was asked for (<paramref name="takenByWorkerIsDone"/>); for anything
    /// else it is too late, and the page says so rather than "someone changed it".
    /// </summary>
    private async Task<IActionResult> ScheduleActAsync(Guid id, Func<Variant, Task<WorkflowResult>> act, string done, bool takenByWorkerIsDone = false)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Author)).Succeeded)
            return Forbid();
        var variant = await approvals.FindAsync(id);
        if (variant is null)
            return NotFound();
        try
        {
            var result = await act(variant);
            if (result.Succeeded)
                Notice = variant.State is VariantState.Publishing or VariantState.Published && takenByWorkerIsDone ? BeingPublished(variant.State) : done;
            else
                Error = result.Error;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var state = await db.Variants.AsNoTracking().Where(v => v.Id == id).Select(v => (VariantState?)v.State).FirstOrDefaultAsync();
            if (state is VariantState.Publishing or VariantState.Published)
            {
                if (takenByWorkerIsDone)
                    Notice = BeingPublished(state.Value);
                else
                    Error = TakenByWorker;
            }
            else
                Error = "Someone else changed this variant a moment ago. Look at it again, then decide.";
        }
        return RedirectToPage(new { id });
    }

    private static string BeingPublished(VariantState state) => state == VariantState.Published
        ? "It is published: a worker took it a moment ago."
        : "A worker has taken it and is publishing it now: the result shows here once the network answers.";

    public Task<IActionResult> OnPostRejectAsync(Guid id, string? comment) =>
        ActAsync(id, Policies.Review, v => approvals.RejectAsync(v, User.Actor(), comment ?? ""), "Rejected; the author has been told.");

    /// <summary>Moves the variant to a day and time in the user's zone, through the publish scheduler.</summary>
    public async Task<IActionResult> OnPostRescheduleAsync(Guid id, DateOnly? date, TimeOnly? time)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Author)).Succeeded)
            return Forbid();
        if (date is null || time is null)
        {
            Error = "Choose a day and a time to move the variant to.";
            return RedirectToPage(new { id });
        }
        return await ShowAsync(id, await rescheduler.MoveAsync(id, date.Value, time.Value, User.Actor()));
    }

    /// <summary>Schedules the variant in its account's next posting slot that no other post takes.</summary>
    public async Task<IActionResult> OnPostNextSlotAsync(Guid id)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Author)).Succeeded)
            return Forbid();
        return await ShowAsync(id, await rescheduler.NextFreeSlotAsync(id, User.Actor()));
    }

    private async Task<IActionResult> ShowAsync(Guid id, Rescheduler.Outcome outcome)
    {
        if (outcome.NotFound)
            return NotFound();
        if (outcome.Moved)
            Notice = $"Moved to {outcome.Local:dddd d MMMM yyyy, HH:mm} ({(await userZone.GetAsync()).Id})."
                + (outcome.State == VariantState.Scheduled ? " It is scheduled: the worker publishes it then." : "");
        else
            Error = outcome.Error;
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostCommentAsync(Guid id, string? body)
    {
        if (!await db.Variants.AnyAsync(v => v.Id == id))
            return NotFound();
        if (string.IsNullOrWhiteSpace(body))
            Error = "Write something before sending the comment.";
        else
        {
            db.Comments.Add(new Comment { VariantId = id, AuthorId = User.Id(), Body = body.Trim(), At = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }
        return RedirectToPage(new { id });
    }

    private async Task<IActionResult> ActAsync(Guid id, string policy, Func<Variant, Task<WorkflowResult>> act, string done, Func<Variant, Task<WorkflowResult>>? after = null)
    {
        if (!(await authorization.AuthorizeAsync(User, policy)).Succeeded)
            return Forbid();
        var variant = await approvals.FindAsync(id);
        if (variant is null)
            return NotFound();
        var result = await act(variant);
        if (result.Succeeded)
        {
            try
            {
                await db.SaveChangesAsync();
                Notice = done;
                if (after is not null && await after(variant) is { Succeeded: false } later)
                    Error = later.Error;
                else if (variant.State == VariantState.Scheduled && variant.ScheduledAt is { } at)
                    Notice = $"{done} Scheduled for {(await userZone.GetAsync()).Local(at):dddd d MMMM, HH:mm}.";
            }
            catch (DbUpdateConcurrencyException)
            {
                Error = "Someone else changed this variant a moment ago. Look at it again, then decide.";
            }
        }
        else
        {
            Error = result.Error;
        }
        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(Guid id)
    {
        var variant = await db.Variants.AsNoTracking()
            .Include(v => v.Message).Include(v => v.ChannelAccount).Include(v => v.Approvals)
            .SingleOrDefaultAsync(v => v.Id == id);
        if (variant is null)
            return false;
        Variant = variant;
        Zone = await userZone.GetAsync();
        Findings = FindingView.Parse(variant.StyleFindingsJson);
        Diagnostics = FindingView.Parse(variant.RenderDiagnosticsJson);
        Steps = ApprovalService.Steps(variant);
        var hash = ContentHash.Of(variant);
        StepsDone = variant.Approvals.Count(a => a.Decision == ApprovalDecision.Approved && a.VoidedAt is null && a.ContentHash == hash);

        var people = await db.Users.Select(u => new { u.Id, Name = u.DisplayName == "" ? u.Email : u.DisplayName }).ToDictionaryAsync(u => u.Id, u => u.Name ?? "");
        History = variant.Approvals.OrderBy(a => a.At)
            .Select(a => new ApprovalRow(people.GetValueOrDefault(a.ApproverId, "someone"), a.Role, a.Step, a.Decision, Local(a.At), a.VoidedAt is not null, a.Comment))
            .ToList();
        Comments = (await db.Comments.Where(c => c.VariantId == id).OrderBy(c => c.At).ToListAsync())
            .Select(c => new CommentRow(people.GetValueOrDefault(c.AuthorId, "someone"), c.Body, Local(c.At))).ToList();

        // A re-submission is shown against what the reviewers saw last.
        var lastReviewed = variant.Approvals.Where(a => a.ContentText is not null).OrderByDescending(a => a.At).FirstOrDefault();
        if (lastReviewed is not null && lastReviewed.ContentHash != hash)
            ChangesSinceReview = TextDiff.Words(lastReviewed.ContentText!, variant.EffectiveText);

        CanSchedule = (await authorization.AuthorizeAsync(User, Policies.Author)).Succeeded;
        CanEditMessage = CanSchedule;
        Attempts = await db.PublishAttempts.AsNoTracking().Where(a => a.VariantId == id).OrderByDescending(a => a.Number).Take(20).ToListAsync();
        CanReview = variant.State == VariantState.InReview && (await authorization.AuthorizeAsync(User, Policies.Review)).Succeeded;
        ApproveBlocked = CanReview ? ApprovalService.ApproveRefusal(variant, User.Actor(), User.Roles()) : null;
        RejectBlocked = CanReview ? ApprovalService.RejectRefusal(variant, User.Actor()) : null;
        MoveBlocked = PublishScheduler.MoveBlocker(variant);
        CanMove = MoveBlocked is null && CanSchedule;
        PublishNowBlocked = PublishScheduler.PublishNowRefusal(variant);
        CanSubmit = variant.State is VariantState.Draft or VariantState.Rejected or VariantState.Missed && CanSchedule;
        SubmitBlocked = CanSubmit ? ApprovalService.SubmitRefusal(variant) : null;
        HeldFor = variant.HeldByStyleGuide ? HeldView.Rules(variant.StyleFindingsJson) : [];
        EditOutdated = MessageFingerprint.EditIsOutdated(variant, variant.Message!);
        Parts = variant.State is VariantState.Published or VariantState.Publishing or VariantState.NeedsAttention
            ? PostAddresses.PartsOf(variant.ChannelAccount!, variant.ExternalPartIds, variant.ExternalId, variant.ExternalUrl)
            : [];
        Siblings = await db.Variants.AsNoTracking().Where(v => v.MessageId == variant.MessageId && v.Id != variant.Id)
            .OrderBy(v => v.ChannelAccount!.Name)
            .Select(v => new Sibling(v.Id, v.ChannelAccount!.Name, v.ChannelAccount.Kind, v.State)).ToListAsync();
        if (variant.State == VariantState.Published || variant.LinksJson is not null)
            (Performance, Engagement) = await analytics.VariantAsync(id, HttpContext.RequestAborted);
        return true;
    }

    public DateTime Local(DateTimeOffset at) => Zone.Local(at);
}
