using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Core.Review;
using Publisher.Web.Pages.Shared;
using Publisher.Web.Security;
using Publisher.Web.Time;

namespace Publisher.Web.Pages.Approvals;

/// <summary>The approval queue: every variant waiting for review, oldest due first, as it will go out.</summary>
[Authorize(Policy = Policies.Review)]
public class IndexModel(PublisherDbContext db, ApprovalService approvals, PublishScheduler scheduler, UserTimeZone userZone, TimeProvider clock) : PageModel
{
    public sealed record Option(string Value, string Label);

    public sealed record MessageGroup(Guid MessageId, string Title, string Author, IReadOnlyList<Variant> Variants, int CleanCount);

    /// <summary>Only this message's variants (where a review notification leads).</summary>
    [BindProperty(SupportsGet = true)] public Guid? Message { get; set; }
    [BindProperty(SupportsGet = true)] public Guid? Account { get; set; }
    [BindProperty(SupportsGet = true)] public Guid? Campaign { get; set; }
    [BindProperty(SupportsGet = true)] public string? Author { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? DueBefore { get; set; }

    public IReadOnlyList<MessageGroup> Groups { get; private set; } = [];
    public IReadOnlyList<Option> Accounts { get; private set; } = [];
    public IReadOnlyList<Option> Campaigns { get; private set; } = [];
    public IReadOnlyList<Option> Authors { get; private set; } = [];
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    /// <summary>Posts the style guide holds back: not in this queue (they wait on their authors), but reviewers should know.</summary>
    public int HeldCount { get; private set; }

    [TempData] public string? Notice { get; set; }

    /// <summary>Said when the due date asked for was outside the planning window and the nearest day inside it is used.</summary>
    public string? Clamped { get; private set; }

    public async Task OnGetAsync()
    {
        Zone = await userZone.GetAsync();
        var query = db.Variants.AsNoTracking().Include(v => v.Message).Include(v => v.ChannelAccount)
            .Where(v => v.State == VariantState.InReview);
        if (Message is { } message) query = query.Where(v => v.MessageId == message);
        if (Account is { } account) query = query.Where(v => v.ChannelAccountId == account);
        if (Campaign is { } campaign) query = query.Where(v => v.Message!.CampaignId == campaign);
        if (!string.IsNullOrEmpty(Author)) query = query.Where(v => v.Message!.AuthorId == Author);
        if (DueBefore is { } asked && PlanningWindow.Clamp(asked, clock.GetUtcNow()) is var clamped && clamped != asked)
        {
            Clamped = PlanningWindow.Clamped(asked, clamped);
            DueBefore = clamped;
        }
        if (DueBefore is { } due)
        {
            var end = Zone.LocalMidnightUtc(due.AddDays(1));
            query = query.Where(v => v.ScheduledAt < end);
        }
        var variants = await query.OrderBy(v => v.ScheduledAt == null).ThenBy(v => v.ScheduledAt).ThenBy(v => v.UpdatedAt).Take(300).ToListAsync();
        var names = await db.Users.Select(u => new { u.Id, Name = u.DisplayName == "" ? u.Email : u.DisplayName }).ToDictionaryAsync(u => u.Id, u => u.Name ?? "");
        Groups = variants.GroupBy(v => v.MessageId)
            .Select(g => new MessageGroup(g.Key, g.First().Message!.Title, names.GetValueOrDefault(g.First().Message!.AuthorId, ""), g.ToList(),
                g.Count(v => FindingView.IsClean(v.StyleFindingsJson) && !v.HasRenderErrors)))
            .ToList();

        HeldCount = await db.Variants.CountAsync(v => v.HeldByStyleGuide && v.State != VariantState.Published && v.State != VariantState.Canceled);
        Accounts = await db.ChannelAccounts.OrderBy(a => a.Name).Select(a => new Option(a.Id.ToString(), a.Name)).ToListAsync();
        Campaigns = await db.Campaigns.OrderBy(c => c.Name).Select(c => new Option(c.Id.ToString(), c.Name)).ToListAsync();
        Authors = names.OrderBy(n => n.Value).Select(n => new Option(n.Key, n.Value)).ToList();
    }

    /// <summary>Approves every variant of the message that has no error and no unaccepted warning.</summary>
    public async Task<IActionResult> OnPostApproveCleanAsync(Guid messageId)
    {
        var ids = await db.Variants.Where(v => v.MessageId == messageId && v.State == VariantState.InReview).Select(v => v.Id).ToListAsync();
        var approved = 0;
        var refused = new List<string>();
        foreach (var id in ids)
        {
            var variant = await approvals.FindAsync(id);
            if (variant is null || !FindingView.IsClean(variant.StyleFindingsJson) || variant.HasRenderErrors)
                continue;
            var result = await approvals.ApproveAsync(variant, User.Actor(), User.Roles());
            if (result.Succeeded) approved++;
            else refused.Add($"{variant.ChannelAccount!.Name}: {result.Error}");
        }
        await db.SaveChangesAsync();
        foreach (var variant in db.ChangeTracker.Entries<Variant>().Select(e => e.Entity).Where(v => v.State == VariantState.Approved).ToList())
            await scheduler.ScheduleIfApprovedAsync(variant, User.Actor());
        Notice = (approved == 1 ? "Approved 1 clean variant." : $"Approved {approved} clean variants.") + (refused.Count > 0 ? " Not approved: " + string.Join(" ", refused) : "");
        return RedirectToPage(new { Message, Account, Campaign, Author, DueBefore });
    }

    /// <summary>Rejects one variant from the queue with the comment its author will read, without opening it.</summary>
    public async Task<IActionResult> OnPostRejectAsync(Guid variantId, string? comment)
    {
        var variant = await approvals.FindAsync(variantId);
        if (variant is null)
            return NotFound();
        var result = await approvals.RejectAsync(variant, User.Actor(), comment ?? "");
        if (result.Succeeded)
        {
            try
            {
                await db.SaveChangesAsync();
                Notice = $"Rejected {AccountWording.VariantOf(variant.ChannelAccount!.Name, variant.Message!.Title)}; its author has been told why.";
            }
            catch (DbUpdateConcurrencyException)
            {
                Error = "Someone else changed this variant a moment ago: look at it again, then decide.";
            }
        }
        else
            Error = $"{variant.ChannelAccount!.Name}: {result.Error}";
        return RedirectToPage(new { Message, Account, Campaign, Author, DueBefore });
    }

    [TempData] public string? Error { get; set; }

    /// <summary>A hand edit written against an older version of its message.</summary>
    public static bool EditOutdated(Variant variant) => MessageFingerprint.EditIsOutdated(variant, variant.Message!);

    public DateTime Local(DateTimeOffset at) => Zone.Local(at);
}
