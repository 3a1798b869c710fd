using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Web.Pages.Shared;
using Publisher.Core.Review;
using Publisher.Web.Pages.Calendar;
using Publisher.Web.Security;
using Publisher.Web.Time;

namespace Publisher.Web.Pages.Messages;

/// <summary>
/// Change a saved message and its variants: re-render them all, edit one by hand, see what changed since a
/// hand edit, re-render it, accept a warning with a reason.
/// </summary>
[Authorize(Policy = Policies.Author)]
public class EditModel(PublisherDbContext db, UserTimeZone userZone, MessageWriter writer, ApprovalService approvals, Rescheduler rescheduler)
    : EditorPageModel(db, userZone)
{
    public sealed record AcceptanceView(string FindingKey, string Reason, string By, DateTimeOffset At);

    public sealed record VariantView(
        Guid Id, Guid AccountId, string AccountName, string Kind, VariantState State, uint Version,
        string? ManualOverride, string RenderedText, bool MessageChangedSinceEdit, IReadOnlyList<TextDiff.Piece> Diff,
        int? Score, IReadOnlyList<MessageWriter.StoredFinding> Findings, IReadOnlyList<AcceptanceView> Acceptances,
        int CountUsed, int? CountLimit, DateTime? LocalTime, IReadOnlyList<string> ThreadParts, IReadOnlyList<Guid>? MediaChoice, IReadOnlyList<Guid> MediaShown,
        LinkCardPreview? LinkCard = null);

    public sealed record AttachmentView(Guid Id, string FileName, string Kind);

    /// <summary>The message's attachments, in order, for each variant's media choice.</summary>
    public IReadOnlyList<AttachmentView> Attachments { get; private set; } = [];

    public Guid MessageId { get; private set; }
    public string MessageTitle { get; private set; } = "";
    public IReadOnlyList<VariantView> Variants { get; private set; } = [];
    /// <summary>The zone the saved variants' times are shown in: the viewer's, as on the calendar.</summary>
    public TimeZoneInfo ViewerZone { get; private set; } = TimeZoneInfo.Utc;

    /// <summary>Set when a save waits for the author's yes: what it would do to approved and hand-edited variants.</summary>
    public MessageWriter.SaveImpact? Confirmation { get; private set; }

    /// <summary>Per-variant outcomes of "Submit all" or "Add all to queue", one line each.</summary>
    [TempData] public string? Outcomes { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id)
    {
        if (!await LoadAsync(id, fillForm: true))
            return NotFound();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        if (HasUnreadableFields)
        {
            if (!await LoadAsync(id, fillForm: false))
                return NotFound();
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        var result = await writer.SaveAsync(id, Input, CurrentActor(), cancellationToken);
        if (result.NeedsConfirmation)
        {
            // Nothing was saved: show what the save would do, with the form as typed, and ask.
            Confirmation = result.Impact;
            if (!await LoadAsync(id, fillForm: false))
                return NotFound();
            return Page();
        }
        return await AfterAsync(id, result, "Saved. Every variant was rendered again from the message." + (result.Impact?.Describe() ?? "") + result.DescribeUnreadCards());
    }

    public async Task<IActionResult> OnPostConfirmEditAsync(Guid id, Guid variantId, uint version, CancellationToken cancellationToken) =>
        await AfterAsync(id, await writer.ConfirmEditAsync(id, variantId, version, CurrentActor(), cancellationToken),
            "Your edit is kept as written for the message as it is now; its approval, if it had one, stands.");

    /// <summary>Sends every variant that can go to review; says which cannot, and why.</summary>
    public async Task<IActionResult> OnPostSubmitAllAsync(Guid id, CancellationToken cancellationToken)
    {
        var variants = await Db.Variants.Include(v => v.Message).Include(v => v.ChannelAccount).Include(v => v.Approvals)
            .Where(v => v.MessageId == id).OrderBy(v => v.ChannelAccount!.Name).ToListAsync(cancellationToken);
        if (variants.Count == 0)
            return NotFound();
        var sent = new List<string>();
        var lines = new List<string>();
        foreach (var variant in variants.Where(v => v.State is not (VariantState.Canceled or VariantState.Published)))
        {
            if (ApprovalService.SubmitRefusal(variant) is { } refused)
            {
                lines.Add($"{variant.ChannelAccount!.Name}: not sent. {refused}");
                continue;
            }
            var result = await approvals.SubmitAsync(variant, CurrentActor(), cancellationToken);
            if (result.Succeeded)
                sent.Add(variant.ChannelAccount!.Name);
            else
                lines.Add($"{variant.ChannelAccount!.Name}: not sent. {result.Error}");
        }
        try
        {
            await Db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            TempData["Saved"] = null;
            ModelState.AddModelError("", MessageWriter.ConcurrencyError);
            await LoadAsync(id, fillForm: true);
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        TempData["Saved"] = sent.Count == 0
            ? "No variant was sent for review."
            : $"Sent for review: {string.Join(", ", sent)}. The approvers are told.";
        Outcomes = lines.Count == 0 ? null : string.Join('\n', lines);
        return RedirectToPage("Edit", new { id });
    }

    /// <summary>Puts each variant in its account's next free posting slot, one after the other, through the publish scheduler.</summary>
    public async Task<IActionResult> OnPostQueueAllAsync(Guid id, CancellationToken cancellationToken)
    {
        var variants = await Db.Variants.AsNoTracking().Where(v => v.MessageId == id && v.State != VariantState.Canceled)
            .OrderBy(v => v.ChannelAccount!.Name).Select(v => new { v.Id, Account = v.ChannelAccount!.Name }).ToListAsync(cancellationToken);
        if (variants.Count == 0)
            return NotFound();
        var zone = await UserZone.GetAsync();
        var placed = 0;
        var lines = new List<string>();
        foreach (var variant in variants)
        {
            var outcome = await rescheduler.NextFreeSlotAsync(variant.Id, CurrentActor(), cancellationToken);
            if (outcome.Moved)
            {
                placed++;
                lines.Add($"{variant.Account}: {outcome.Local:ddd d MMM HH:mm} ({zone.Id})" + (outcome.State == VariantState.Scheduled ? ", scheduled." : ", planned (it goes out once approved)."));
            }
            else
                lines.Add($"{variant.Account}: not queued. {outcome.Error}");
        }
        TempData["Saved"] = placed == 0 ? "No variant was added to a queue." : $"Added {placed} of {variants.Count} variants to their accounts' queues.";
        Outcomes = string.Join('\n', lines);
        return RedirectToPage("Edit", new { id });
    }

    public async Task<IActionResult> OnPostEditVariantAsync(Guid id, Guid variantId, uint version, string? text, CancellationToken cancellationToken) =>
        await AfterAsync(id, await writer.EditVariantAsync(id, variantId, version, text, CurrentActor(), cancellationToken), "Your edit of the variant is saved.");

    /// <summary>Chooses the media of one variant by hand (<paramref name="choice"/> "hand"), or goes back to all its channel takes ("default").</summary>
    public async Task<IActionResult> OnPostChooseMediaAsync(Guid id, Guid variantId, uint version, string? choice, List<Guid>? media, CancellationToken cancellationToken) =>
        await AfterAsync(id, await writer.ChooseMediaAsync(id, variantId, version, choice == "default" ? null : media ?? [], CurrentActor(), cancellationToken),
            choice == "default" ? "The variant takes every attachment its channel takes again." : "The variant's media are as you chose.");

    /// <summary>
    /// Edits one variant's link card (<paramref name="card"/> "edit"), removes it ("remove"), goes back to the page's
    /// ("page"), or reads the page again ("reread").
    /// </summary>
    public async Task<IActionResult> OnPostLinkCardAsync(Guid id, Guid variantId, uint version, string? card, string? title, string? description, LinkCardThumb thumb, string? imageUrl, CancellationToken cancellationToken)
    {
        if (card == "reread")
        {
            var reread = await writer.RereadLinkCardAsync(id, variantId, version, CurrentActor(), cancellationToken);
            var read = reread.Succeeded && await Db.Variants.Where(v => v.Id == variantId).Select(v => v.LinkCardSnapshot!.FromPage).FirstOrDefaultAsync(cancellationToken);
            return await AfterAsync(id, reread, read
                ? "The link card was read from the page again."
                : "The page could not be read: the card uses the message's title and summary. Check the link, or try again later.");
        }
        LinkCardEdit? edit = card switch
        {
            "remove" => new LinkCardEdit { Removed = true },
            "edit" => new LinkCardEdit { Title = title ?? "", Description = description ?? "", Thumb = thumb, ImageUrl = string.IsNullOrWhiteSpace(imageUrl) ? null : imageUrl.Trim() },
            _ => null,
        };
        return await AfterAsync(id, await writer.EditLinkCardAsync(id, variantId, version, edit, CurrentActor(), cancellationToken),
            edit is null ? "The link card is read from the page again." : edit.Removed ? "The post goes out without a link card." : "Your link card is saved.");
    }

    public async Task<IActionResult> OnPostReRenderAsync(Guid id, Guid variantId, uint version, CancellationToken cancellationToken) =>
        await AfterAsync(id, await writer.ReRenderAsync(id, variantId, version, CurrentActor(), cancellationToken), "The variant is rendered from the message again; your edit is gone.");

    public async Task<IActionResult> OnPostAcceptWarningAsync(Guid id, Guid variantId, uint version, string? findingKey, string? reason, CancellationToken cancellationToken) =>
        await AfterAsync(id, await writer.AcceptWarningAsync(id, variantId, version, findingKey, reason, CurrentActor(), cancellationToken), "The warning is accepted; your reason is kept with the variant.");

    private async Task<IActionResult> AfterAsync(Guid id, MessageWriter.Result result, string saved)
    {
        if (result.Succeeded)
        {
            TempData["Saved"] = saved;
            return RedirectToPage("Edit", new { id });
        }
        ShowErrors(result);
        // A failed per-variant action shows the stored message; a failed message save keeps what was typed.
        var fillForm = !Request.Query.ContainsKey("handler") && !Request.Form.ContainsKey("Input.Title");
        if (!await LoadAsync(id, fillForm))
            return NotFound();
        Response.StatusCode = result.Errors.Any(e => e.Error == MessageWriter.ConcurrencyError) ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
        return Page();
    }

    private async Task<bool> LoadAsync(Guid id, bool fillForm)
    {
        Db.ChangeTracker.Clear();
        var message = await Db.Messages.AsNoTracking()
            .Include(m => m.Variants).ThenInclude(v => v.ChannelAccount)
            .Include(m => m.Variants).ThenInclude(v => v.WarningAcceptances)
            .Include(m => m.Media).ThenInclude(a => a.Asset)
            .AsSplitQuery()
            .FirstOrDefaultAsync(m => m.Id == id);
        if (message is null)
            return false;
        MessageId = message.Id;
        MessageTitle = message.Title;
        var variants = message.Variants.OrderBy(v => v.ChannelAccount!.Name).ToList();
        if (fillForm)
            Input = MessageForm.From(message, variants);
        else
        {
            // Keep what was typed, but the versions the page holds from now on are the stored ones.
            Input.Versions = variants.ToDictionary(v => v.Id, v => v.Version);
        }
        await LoadOptionsAsync(variants.Select(v => v.ChannelAccountId));
        var fingerprint = MessageFingerprint.Of(message);
        ViewerZone = await UserZone.GetAsync();
        Variants = variants.Select(v =>
        {
            var stale = v.ManualOverride is not null && v.SourceMessageHash != fingerprint;
            return new VariantView(v.Id, v.ChannelAccountId, v.ChannelAccount!.Name, v.ChannelAccount.Kind, v.State, v.Version,
                v.ManualOverride, v.RenderedText, stale, stale ? TextDiff.Words(v.ManualOverride, v.RenderedText) : [],
                v.StyleScore, MessageWriter.FindingsOf(v),
                v.WarningAcceptances.OrderBy(w => w.At).Select(w => new AcceptanceView(w.FindingKey, w.Reason, w.AcceptedByName, w.At)).ToList(),
                v.CountUsed, v.CountLimit, v.ScheduledAt is { } at ? ViewerZone.Local(at) : null, v.ThreadParts,
                v.MediaChoice, v.Media.OrderBy(m => m.Position).Select(m => m.AttachmentId).ToList(),
                LinkCardPreview.Of(v, v.ChannelAccount.Kind, v.Link));
        }).ToList();
        Attachments = message.Media.OrderBy(a => a.Position).Select(a => new AttachmentView(a.Id, a.Asset?.FileName ?? "file", a.Asset?.Kind.ToString() ?? "")).ToList();
        return true;
    }
}
