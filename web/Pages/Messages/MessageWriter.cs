using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Media;
using Publisher.Core.Workflow;
using Publisher.StyleGuide;
using Publisher.Templates.Model;

namespace Publisher.Web.Pages.Messages;

/// <summary>
/// Saves a message and its variants (one per chosen account) in one transaction, through the composer
/// (render and check) and the workflow (every state change and voided approval is audited). Used by the
/// New and Edit pages and the per-variant actions of the Edit page.
/// </summary>
public sealed class MessageWriter(PublisherDbContext db, VariantComposer composer, VariantWorkflow workflow, MediaLibrary media, LinkCardSnapshots linkCards, TimeProvider clock)
{
    public const string ConcurrencyError = "Someone else changed this message's variants while you were editing: nothing of yours was saved. Reload the page to see their changes, then make yours again.";

    /// <summary>The outcome: the message id, or errors keyed by field ("" for the whole form).</summary>
    /// <param name="Impact">What a message save did (or, unconfirmed, would do) to approved and hand-edited variants.</param>
    /// <param name="NeedsConfirmation">Nothing was saved: the save would send approved variants back to review or leave
    /// hand edits behind, and the author has not confirmed exactly that yet.</param>
    /// <param name="UnreadCards">The accounts whose link card's page could not be read at this save (their card is the message's own words).</param>
    public sealed record Result(Guid? MessageId, IReadOnlyList<(string Field, string Error)> Errors, SaveImpact? Impact = null, bool NeedsConfirmation = false,
        IReadOnlyList<string>? UnreadCards = null)
    {
        /// <summary>The sentence after "Saved." when a link card's page could not be read, or "".</summary>
        public string DescribeUnreadCards() => UnreadCards is { Count: > 0 } names
            ? $" The linked page could not be read for {string.Join(", ", names)}: the link card uses the message's title and summary. Check the link, or use \"Retry: read the page again\" under the variant."
            : "";

        public bool Succeeded => Errors.Count == 0 && !NeedsConfirmation;
        public static Result Fail(string field, string error) => new(null, [(field, error)]);
    }

    /// <summary>One variant a message save touches beyond re-rendering it.</summary>
    public sealed record AffectedVariant(Guid VariantId, string Account, VariantState State);

    /// <summary>
    /// What saving the message does to variants someone already relied on: approved or scheduled ones whose content
    /// changes lose their approval and go back to review; hand-edited ones keep their edit, written against the
    /// message as it was. <see cref="Token"/> names exactly this list, so a confirmation given for it does not cover
    /// a different one (another approval came in meanwhile): the author is asked again.
    /// </summary>
    public sealed record SaveImpact(IReadOnlyList<AffectedVariant> BackToReview, IReadOnlyList<AffectedVariant> LeftBehind)
    {
        public bool IsEmpty => BackToReview.Count == 0 && LeftBehind.Count == 0;

        public string Token => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Join(';', BackToReview.Select(v => "r" + v.VariantId).Concat(LeftBehind.Select(v => "e" + v.VariantId)).Order(StringComparer.Ordinal)))))[..16];

        /// <summary>The sentence after "Saved.", naming the accounts.</summary>
        public string Describe() =>
            (BackToReview.Count == 0 ? "" : $" Back to review, their approval no longer matching what would go out: {Names(BackToReview)}.")
            + (LeftBehind.Count == 0 ? "" : $" Hand-edited, kept as written (the message changed since the edit): {Names(LeftBehind)}.");

        private static string Names(IEnumerable<AffectedVariant> variants) => string.Join(", ", variants.Select(v => v.Account));
    }

    public async Task<Result> SaveAsync(Guid? messageId, MessageForm form, Actor actor, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        Message? message = null;
        if (messageId is { } id)
        {
            message = await db.Messages
                .Include(m => m.Variants).ThenInclude(v => v.Approvals)
                .Include(m => m.Variants).ThenInclude(v => v.WarningAcceptances)
                .Include(m => m.Media).ThenInclude(a => a.Asset)
                .AsSplitQuery()
                .FirstOrDefaultAsync(m => m.Id == id, cancellationToken);
            if (message is null)
                return Result.Fail("", "This message no longer exists: it may have been deleted. Go back to the calendar.");
        }

        var errors = form.Validate(now, message?.PlannedAt, out var plannedAt).ToList();
        var accounts = await db.ChannelAccounts.Where(a => form.AccountIds.Contains(a.Id)).ToListAsync(cancellationToken);
        var alreadyOn = message?.Variants.Select(v => v.ChannelAccountId).ToHashSet() ?? [];
        foreach (var missing in form.AccountIds.Except(accounts.Select(a => a.Id)))
            errors.Add((nameof(MessageForm.AccountIds), $"A chosen channel account ({missing}) no longer exists: reload the page and choose again."));
        foreach (var account in accounts.Where(a => !a.IsEnabled && !alreadyOn.Contains(a.Id)))
            errors.Add((nameof(MessageForm.AccountIds), $"{account.Name} is switched off: choose another account or ask an admin to switch it on."));
        foreach (var account in accounts.Where(a => !Enum.TryParse<Publisher.Templates.Channels.ChannelKind>(a.Kind, out var k) || !Enum.IsDefined(k)))
            errors.Add((nameof(MessageForm.AccountIds), $"{account.Name} is of the kind '{account.Kind}', which Publisher cannot render: choose another account."));
        CampaignInput? campaign = null;
        if (form.CampaignId is { } campaignId)
        {
            campaign = await db.Campaigns.Where(c => c.Id == campaignId).Select(c => new CampaignInput(c.Name, c.UtmCampaign)).FirstOrDefaultAsync(cancellationToken);
            if (campaign is null)
                errors.Add((nameof(MessageForm.CampaignId), "The chosen campaign no longer exists: choose another or none."));
        }
        var assetIds = form.Media.Select(a => a.AssetId).ToList();
        var assets = await db.MediaAssets.Where(a => assetIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, cancellationToken);
        foreach (var missing in assetIds.Where(id => !assets.ContainsKey(id)).Distinct())
            errors.Add((nameof(MessageForm.Media), "An attached file is no longer in the media library (someone deleted it): remove it and attach it again."));
        if (errors.Count > 0)
            return new Result(null, errors);

        var isNew = message is null;
        message ??= new Message { Title = "", AuthorId = actor.UserId!, TimeZone = form.TimeZone!, CreatedAt = now };
        var byline = await BylineAsync(message, actor, cancellationToken);
        var previousPlannedAt = message.PlannedAt;
        var previousFingerprint = isNew ? null : MessageFingerprint.Of(message);
        message.Title = form.Title!.Trim();
        message.BodyMarkdown = form.Body!;
        message.Summary = Blank(form.Summary);
        message.Link = Blank(form.Link)?.Trim();
        message.CallToAction = Blank(form.CallToAction);
        message.Hashtags = form.HashtagList();
        message.KeyFacts = form.KeyFactList();
        message.CampaignId = form.CampaignId;
        message.IsSponsored = form.IsSponsored;
        message.TimeZone = form.TimeZone!;
        message.PlannedAt = plannedAt;
        message.UpdatedAt = now;
        message.Fingerprint = MessageFingerprint.Of(message);
        if (isNew)
            db.Messages.Add(message);
        var removedAttachments = SyncAttachments(message, form.Media, assets);

        var context = await composer.LoadContextAsync(cancellationToken);
        var chosen = accounts.ToDictionary(a => a.Id);
        // A variant the page never showed (someone added its account meanwhile) is not the author's to remove; a variant
        // changed since the page showed it would fail the save anyway, so say so before asking the author anything.
        if (!isNew && message.Variants.Any(v => (!form.Versions.ContainsKey(v.Id) && !chosen.ContainsKey(v.ChannelAccountId))
                                                || (form.Versions.TryGetValue(v.Id, out var shown) && shown != v.Version)))
        {
            db.ChangeTracker.Clear();
            return Result.Fail("", ConcurrencyError);
        }

        var backToReview = new List<AffectedVariant>();
        var leftBehind = new List<AffectedVariant>();
        var unreadCards = new List<string>();
        foreach (var variant in message.Variants.ToList())
        {
            if (form.Versions.TryGetValue(variant.Id, out var seen))
                db.Entry(variant).Property(v => v.Version).OriginalValue = seen;

            if (!chosen.TryGetValue(variant.ChannelAccountId, out var account))
            {
                RemoveFromMessage(message, variant, actor);
                continue;
            }
            if (variant.State is VariantState.Published or VariantState.Publishing)
                continue; // what went out (or is going out) is history: the message's change does not reach it
            if (variant.State == VariantState.Canceled)
                workflow.Transition(variant, VariantState.Draft, actor, "The account was chosen again for the message");
            if (variant.State is not (VariantState.Scheduled) && variant.ScheduledAt == previousPlannedAt)
                variant.ScheduledAt = plannedAt; // a variant moved on its own keeps its time

            if (variant.MediaChoice is { } choice && choice.RemoveAll(removedAttachments.Contains) > 0 && choice.Count == 0)
                variant.MediaChoice = null;
            await PlanMediaAsync(variant, message, account, cancellationToken);
            var accepted = variant.WarningAcceptances.Select(w => w.FindingKey);
            var wasApproved = variant.State is VariantState.Approved or VariantState.Scheduled;
            var rendered = composer.Render(context, variant.Id, message, account, campaign, byline, cancellationToken, variant.Media);
            await SnapshotLinkCardAsync(variant, message, account, rendered.Link, reread: true, cancellationToken);
            if (variant.LinkCardSnapshot is { FromPage: false })
                unreadCards.Add(account.Name);
            var changed = composer.Apply(context, variant, message, account, rendered, accepted);
            variant.UpdatedAt = now;
            if (changed)
            {
                variant.LastEditedById = actor.UserId;
                workflow.ContentChanged(variant, actor, "The message was edited");
                if (wasApproved && variant.State == VariantState.InReview)
                    backToReview.Add(new AffectedVariant(variant.Id, account.Name, VariantState.InReview));
            }
            if (variant.ManualOverride is not null && previousFingerprint != message.Fingerprint && variant.SourceMessageHash != message.Fingerprint)
                leftBehind.Add(new AffectedVariant(variant.Id, account.Name, variant.State));
        }
        var impact = new SaveImpact(backToReview.OrderBy(v => v.Account).ToList(), leftBehind.OrderBy(v => v.Account).ToList());
        if (!impact.IsEmpty && form.ConfirmImpact != impact.Token)
        {
            // Nothing is saved until the author has seen exactly these consequences and said yes.
            db.ChangeTracker.Clear();
            return new Result(message.Id, [], impact, NeedsConfirmation: true);
        }

        foreach (var account in accounts.Where(a => !alreadyOn.Contains(a.Id)))
        {
            var variant = new Variant
            {
                MessageId = message.Id, ChannelAccountId = account.Id, State = VariantState.Draft, ScheduledAt = plannedAt,
                UpdatedAt = now, LastEditedById = actor.UserId,
            };
            await PlanMediaAsync(variant, message, account, cancellationToken);
            var rendered = composer.Render(context, variant.Id, message, account, campaign, byline, cancellationToken, variant.Media);
            await SnapshotLinkCardAsync(variant, message, account, rendered.Link, reread: true, cancellationToken);
            if (variant.LinkCardSnapshot is { FromPage: false })
                unreadCards.Add(account.Name);
            composer.Apply(context, variant, message, account, rendered, []);
            db.Variants.Add(variant);
        }
        workflow.Record(nameof(Message), message.Id.ToString(), isNew ? "created" : "edited", actor,
            impact.IsEmpty ? null : impact.Describe().Trim());

        var saved = await CommitAsync(message.Id, cancellationToken);
        return saved.Succeeded ? saved with { Impact = impact, UnreadCards = unreadCards.Order().ToList() } : saved;
    }

    /// <summary>
    /// The author read what changed in the message and keeps the hand edit as it is: the variant counts as written
    /// against the message as it is now, and its "message changed since this edit" mark goes. Nothing that goes out
    /// changes, so its approval stands.
    /// </summary>
    public Task<Result> ConfirmEditAsync(Guid messageId, Guid variantId, uint version, Actor actor, CancellationToken cancellationToken = default) =>
        ChangeVariantAsync(messageId, variantId, version, actor, "edit confirmed against the changed message", (variant, message) =>
        {
            if (variant.ManualOverride is null)
                return "This variant has no hand edit to confirm: it follows the message.";
            variant.SourceMessageHash = MessageFingerprint.Of(message);
            return null;
        }, cancellationToken);

    /// <summary>Replaces the variant's text with a hand-written one ("edited"), remembering which message it was written against.</summary>
    public async Task<Result> EditVariantAsync(Guid messageId, Guid variantId, uint version, string? text, Actor actor, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(text))
            return Result.Fail("edit", "Write the variant's text, or use \"re-render\" to go back to the message's rendering.");
        if (text.Length > MessageForm.MaxBodyCharacters)
            return Result.Fail("edit", $"Your edit is {text.Length:N0} characters; the most Publisher accepts is {MessageForm.MaxBodyCharacters:N0}.");
        if (text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            return Result.Fail("edit", "Your edit contains an invisible control character, often left by a copy and paste: retype that part.");
        return await ChangeVariantAsync(messageId, variantId, version, actor, "edited by hand", (variant, message) =>
        {
            variant.ManualOverride = text;
            variant.SourceMessageHash = MessageFingerprint.Of(message);
            return null;
        }, cancellationToken);
    }

    /// <summary>
    /// Chooses which of the message's attachments go out with this variant, in the message's order; null goes back to
    /// the default (every attachment the channel takes). The choice stays when the message's attachments change.
    /// </summary>
    public Task<Result> ChooseMediaAsync(Guid messageId, Guid variantId, uint version, IReadOnlyCollection<Guid>? attachmentIds, Actor actor, CancellationToken cancellationToken = default) =>
        ChangeVariantAsync(messageId, variantId, version, actor, attachmentIds is null ? "media back to the default choice" : "media chosen by hand", (variant, _) =>
        {
            variant.MediaChoice = attachmentIds?.ToList();
            return null;
        }, cancellationToken);

    /// <summary>
    /// Sets the variant's own link card (<paramref name="card"/>), removes the card (<c>Removed</c>), or goes back to the
    /// card read from the page (null). The words are checked here: a card is plain text within Bluesky's lengths.
    /// </summary>
    public async Task<Result> EditLinkCardAsync(Guid messageId, Guid variantId, uint version, LinkCardEdit? card, Actor actor, CancellationToken cancellationToken = default)
    {
        if (card is { Removed: false })
        {
            card.Title = card.Title.Trim();
            card.Description = card.Description.Trim();
            if (card.Title.Length == 0)
                return Result.Fail("card", "Write the card's title, or remove the card.");
            if (card.Title.Length > LinkCardEdit.MaxTitleLength)
                return Result.Fail("card", $"The card's title is {card.Title.Length:N0} characters; shorten it to {LinkCardEdit.MaxTitleLength}.");
            if (card.Description.Length > LinkCardEdit.MaxDescriptionLength)
                return Result.Fail("card", $"The card's description is {card.Description.Length:N0} characters; shorten it to {LinkCardEdit.MaxDescriptionLength:N0}.");
            if ((card.Title + card.Description).Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
                return Result.Fail("card", "The card contains an invisible control character, often left by a copy and paste: retype that part.");
            if (card.ImageUrl is { } image && (!Uri.TryCreate(image, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https")))
                return Result.Fail("card", "The card's image must be a full http:// or https:// address.");
        }
        else if (card is { Removed: true })
            card = new LinkCardEdit { Removed = true };
        return await ChangeVariantAsync(messageId, variantId, version, actor,
            card is null ? "link card back to the page's" : card.Removed ? "link card removed" : "link card edited", (variant, _) =>
            {
                if (!LinkCardChannels.MakesCard(variant.ChannelAccount!.Kind))
                    return $"{variant.ChannelAccount.Name} makes its link cards itself from the page: there is no card to edit here.";
                variant.LinkCard = card;
                return null;
            }, cancellationToken);
    }

    /// <summary>
    /// Makes the message's attachments what the form says, in its order, keeping each attachment that stays (so a
    /// variant's hand-made choice still names it). Returns the ids of the attachments removed.
    /// </summary>
    private HashSet<Guid> SyncAttachments(Message message, IReadOnlyList<AttachmentForm> wanted, IReadOnlyDictionary<Guid, MediaAsset> assets)
    {
        var unused = message.Media.ToList();
        for (var i = 0; i < wanted.Count; i++)
        {
            var form = wanted[i];
            var attachment = unused.FirstOrDefault(a => a.MediaAssetId == form.AssetId);
            if (attachment is null)
            {
                attachment = new MessageMedia { MessageId = message.Id, MediaAssetId = form.AssetId };
                message.Media.Add(attachment);
                db.MessageMedia.Add(attachment);
            }
            else
                unused.Remove(attachment);
            attachment.Asset = assets[form.AssetId];
            attachment.Position = i;
            attachment.AltText = string.IsNullOrWhiteSpace(form.AltText) ? null : form.AltText.Trim();
            attachment.FocalX = form.FocalX;
            attachment.FocalY = form.FocalY;
        }
        foreach (var gone in unused)
        {
            message.Media.Remove(gone);
            db.MessageMedia.Remove(gone);
        }
        return unused.Select(a => a.Id).ToHashSet();
    }

    /// <summary>Works out the variant's media for its channel, changing the stored ones in place (they are owned rows keyed by position).</summary>
    private async Task PlanMediaAsync(Variant variant, Message message, ChannelAccount account, CancellationToken cancellationToken)
    {
        var rules = composer.MediaRulesFor(account);
        var planned = rules is null
            ? []
            : await media.PlanAsync(variant, message, rules, cancellationToken);
        ReplaceMedia(variant, planned);
        // A post with media carries no link card; one without falls back to the message's first image when the page has none.
        var fallback = planned.Count == 0 && rules is not null && LinkCardChannels.MakesCard(account.Kind) && !string.IsNullOrWhiteSpace(message.Link)
            ? await media.PlanLinkCardImageAsync(message, rules, cancellationToken)
            : null;
        if (fallback?.Key != variant.LinkCardImage?.Key || fallback?.AltText != variant.LinkCardImage?.AltText)
            variant.LinkCardImage = fallback;
    }

    internal static void ReplaceMedia(Variant variant, IReadOnlyList<VariantMedia> planned)
    {
        for (var i = 0; i < planned.Count; i++)
        {
            var target = variant.Media.FirstOrDefault(m => m.Position == i);
            if (target is null)
            {
                variant.Media.Add(planned[i]);
                continue;
            }
            var p = planned[i];
            target.AttachmentId = p.AttachmentId; target.AssetId = p.AssetId; target.Key = p.Key; target.Kind = p.Kind; target.ContentType = p.ContentType;
            target.Length = p.Length; target.Width = p.Width; target.Height = p.Height; target.DurationSeconds = p.DurationSeconds; target.VideoCodec = p.VideoCodec;
            target.AltText = p.AltText; target.FocalX = p.FocalX; target.FocalY = p.FocalY; target.PosterKey = p.PosterKey; target.FileName = p.FileName;
            target.Sources = p.Sources.ToList();
        }
        variant.Media.RemoveAll(m => m.Position >= planned.Count);
    }

    /// <summary>Drops the hand-written text: the variant goes back to the message's fresh rendering (and its link card to the page as it is now).</summary>
    public Task<Result> ReRenderAsync(Guid messageId, Guid variantId, uint version, Actor actor, CancellationToken cancellationToken = default) =>
        ChangeVariantAsync(messageId, variantId, version, actor, "re-rendered from the message", (variant, _) =>
        {
            variant.ManualOverride = null;
            return null;
        }, cancellationToken, rereadCard: true);

    /// <summary>
    /// "Read the page again": the link card is read from the page now, not from a moment ago, and replaces the one
    /// stored. The author's own card stays theirs (its picture may come from the page). A card that comes back the same
    /// changes nothing; one that differs voids an approval, as a changed word does.
    /// </summary>
    public Task<Result> RereadLinkCardAsync(Guid messageId, Guid variantId, uint version, Actor actor, CancellationToken cancellationToken = default) =>
        ChangeVariantAsync(messageId, variantId, version, actor, "link card read from the page again", (variant, _) =>
            LinkCardChannels.MakesCard(variant.ChannelAccount!.Kind) ? null : $"{variant.ChannelAccount.Name} makes its link cards itself from the page: there is no card to read here.",
            cancellationToken, rereadCard: true, freshCard: true);

    /// <summary>Keeps the variant's link card as it goes out (see <see cref="LinkCardSnapshots.UpdateAsync"/>).</summary>
    private Task SnapshotLinkCardAsync(Variant variant, Message message, ChannelAccount account, string? link, bool reread, CancellationToken cancellationToken, bool fresh = false) =>
        linkCards.UpdateAsync(variant, message, account.Kind, composer.MediaRulesFor(account), link, reread, fresh, cancellationToken);

    /// <summary>Accepts one warning of the variant with a written reason; errors cannot be accepted.</summary>
    public async Task<Result> AcceptWarningAsync(Guid messageId, Guid variantId, uint version, string? findingKey, string? reason, Actor actor, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length < 5)
            return Result.Fail("reason", "Say why this warning is acceptable (a few words at least): the approver reads your reason.");
        if (reason.Length > 2_000)
            return Result.Fail("reason", $"Your reason is {reason.Length:N0} characters; keep it to 2,000 or fewer.");
        if (reason.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            return Result.Fail("reason", "Your reason contains an invisible control character, often left by a copy and paste: retype that part.");
        var variant = await LoadVariantAsync(messageId, variantId, cancellationToken);
        if (variant is null)
            return Result.Fail("", "This variant no longer exists: reload the page.");
        db.Entry(variant).Property(v => v.Version).OriginalValue = version;
        var context = await composer.LoadContextAsync(cancellationToken);
        var accepted = variant.WarningAcceptances.Select(w => w.FindingKey).ToList();
        var result = composer.Check(context, variant, variant.Message!, variant.ChannelAccount!, accepted);
        var finding = result.Findings.FirstOrDefault(f => f.Key == findingKey);
        if (finding is null)
            return Result.Fail("", "That finding is no longer there (the text or the style guide changed): nothing to accept.");
        if (finding.Severity != Severity.Warning)
            return Result.Fail("", finding.Severity == Severity.Error
                ? $"\"{finding.Message}\" is an error, and errors cannot be accepted: fix the text."
                : "Suggestions need no acceptance: they never block anything.");
        if (finding.Accepted)
            return Result.Fail("", "This warning is already accepted.");

        var acceptance = new WarningAcceptance
        {
            VariantId = variant.Id, FindingKey = finding.Key, Reason = reason.Trim(), AcceptedById = actor.UserId ?? "", AcceptedByName = actor.Name, At = clock.GetUtcNow(),
        };
        db.WarningAcceptances.Add(acceptance);
        composer.Check(context, variant, variant.Message!, variant.ChannelAccount!, accepted.Append(finding.Key));
        variant.UpdatedAt = clock.GetUtcNow();
        workflow.Record(nameof(Variant), variant.Id.ToString(), "warning accepted", actor, $"{finding.Message} — {acceptance.Reason}");
        return await CommitAsync(variant.MessageId, cancellationToken);
    }

    /// <param name="change">Makes the change; returns why it cannot be made, or null.</param>
    /// <param name="rereadCard">Read the link card from the page again (see <see cref="SnapshotLinkCardAsync"/>); <paramref name="freshCard"/>: not from the cache.</param>
    private async Task<Result> ChangeVariantAsync(Guid messageId, Guid variantId, uint version, Actor actor, string what, Func<Variant, Message, string?> change, CancellationToken cancellationToken,
        bool rereadCard = false, bool freshCard = false)
    {
        var variant = await LoadVariantAsync(messageId, variantId, cancellationToken);
        if (variant is null)
            return Result.Fail("", "This variant no longer exists: reload the page.");
        if (variant.State is VariantState.Published or VariantState.Publishing or VariantState.Canceled)
            return Result.Fail("", $"This variant is {VariantTransitions.Describe(variant.State)}: its text can no longer change.");
        db.Entry(variant).Property(v => v.Version).OriginalValue = version;
        var message = variant.Message!;
        var account = variant.ChannelAccount!;
        if (change(variant, message) is { } refused)
        {
            db.ChangeTracker.Clear();
            return Result.Fail("", refused);
        }
        var byline = await BylineAsync(message, actor, cancellationToken);
        var context = await composer.LoadContextAsync(cancellationToken);
        var campaign = message.CampaignId is { } id
            ? await db.Campaigns.Where(c => c.Id == id).Select(c => new CampaignInput(c.Name, c.UtmCampaign)).FirstOrDefaultAsync(cancellationToken)
            : null;
        await db.Entry(message).Collection(m => m.Media).Query().Include(a => a.Asset).LoadAsync(cancellationToken);
        await PlanMediaAsync(variant, message, account, cancellationToken);
        var rendered = composer.Render(context, variant.Id, message, account, campaign, byline, cancellationToken, variant.Media);
        await SnapshotLinkCardAsync(variant, message, account, rendered.Link, rereadCard, cancellationToken, freshCard);
        var changed = composer.Apply(context, variant, message, account, rendered, variant.WarningAcceptances.Select(w => w.FindingKey));
        variant.UpdatedAt = clock.GetUtcNow();
        variant.LastEditedById = actor.UserId;
        workflow.Record(nameof(Variant), variant.Id.ToString(), what, actor);
        if (changed)
            workflow.ContentChanged(variant, actor, $"The variant was {what}");
        return await CommitAsync(variant.MessageId, cancellationToken);
    }

    /// <summary>
    /// The name a rendering credits (a blog post's or newsletter's byline): the message's author, whoever edits it,
    /// so an approver's or colleague's touch does not put their name on someone else's post.
    /// </summary>
    private async Task<string> BylineAsync(Message message, Actor actor, CancellationToken cancellationToken) =>
        message.AuthorId == actor.UserId
            ? actor.Name
            : await db.Users.Where(u => u.Id == message.AuthorId).Select(u => u.DisplayName).FirstOrDefaultAsync(cancellationToken) ?? actor.Name;

    /// <summary>The variant, only as part of the message the page is about, so a posted id cannot reach another message's variant.</summary>
    private Task<Variant?> LoadVariantAsync(Guid messageId, Guid id, CancellationToken cancellationToken) =>
        db.Variants.Include(v => v.Message).ThenInclude(m => m!.Campaign).Include(v => v.ChannelAccount).Include(v => v.Approvals).Include(v => v.WarningAcceptances)
            .FirstOrDefaultAsync(v => v.Id == id && v.MessageId == messageId, cancellationToken);

    /// <summary>
    /// An account taken off the message: its draft is deleted (nobody saw it yet); anything further along is
    /// canceled with a record of why; what was published (or is being published) stays as history.
    /// </summary>
    private void RemoveFromMessage(Message message, Variant variant, Actor actor)
    {
        if (variant.State == VariantState.Draft)
        {
            message.Variants.Remove(variant);
            db.Variants.Remove(variant);
            workflow.Record(nameof(Variant), variant.Id.ToString(), "draft deleted", actor, "The account was removed from the message");
        }
        else if (VariantTransitions.IsAllowed(variant.State, VariantState.Canceled))
            workflow.Transition(variant, VariantState.Canceled, actor, "The account was removed from the message");
    }

    private async Task<Result> CommitAsync(Guid messageId, CancellationToken cancellationToken)
    {
        // One transaction: the message, every variant and every audit event are saved together or not at all.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new Result(messageId, []);
        }
        catch (DbUpdateConcurrencyException)
        {
            await transaction.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return Result.Fail("", ConcurrencyError);
        }
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>Reads the findings a variant's check stored (see VariantComposer.Check).</summary>
    public static IReadOnlyList<StoredFinding> FindingsOf(Variant variant) =>
        string.IsNullOrEmpty(variant.StyleFindingsJson) ? [] :
        JsonSerializer.Deserialize<List<StoredFinding>>(variant.StyleFindingsJson, new JsonSerializerOptions(JsonSerializerDefaults.Web)) ?? [];

    public sealed record StoredFinding(string RuleId, string Severity, string Message, string Field, int Start, int Length, string? MatchedText, string? Fix, string Key, bool Accepted);
}
