using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Review;
using Publisher.Core.Workflow;
using Publisher.Templates.Channels;
using Publisher.Templates.Model;
using Publisher.Templates.Rendering;

namespace Publisher.Core.Composition;

/// <summary>
/// The variants not yet published that the channel's current template would render differently from what
/// they hold, and bringing them up to date. Saving a template rewrites nothing by itself: a brand manager
/// sees which posts it would change (some already approved or scheduled) and decides. Re-rendered variants
/// whose content changes lose their approval and go back to review, as after any other edit, and their
/// authors are told; a hand-edited variant keeps its edit.
/// </summary>
public sealed class TemplateChanges(PublisherDbContext db, VariantComposer composer, VariantWorkflow workflow, Notifier notifier, Media.LinkCardSnapshots linkCards, TimeProvider clock)
{
    /// <summary>How many of the soonest variants are looked at: rendering is quick, but a page must stay quick too.</summary>
    public const int Limit = 1000;

    /// <summary>States whose text can still change (the editor's rule), less Needs attention, which waits on a person's check of the network.</summary>
    private static readonly VariantState[] Open =
        [VariantState.Draft, VariantState.InReview, VariantState.Approved, VariantState.Scheduled, VariantState.Rejected, VariantState.Failed, VariantState.Missed];

    public sealed record Outdated(Guid VariantId, Guid MessageId, string Title, string Account, VariantState State, DateTimeOffset? ScheduledAt, bool HandEdited, Guid AccountId);

    /// <summary>The variants of <paramref name="kind"/> that a re-render would change, soonest first.</summary>
    public async Task<IReadOnlyList<Outdated>> FindAsync(ChannelKind kind, CancellationToken cancellationToken = default)
    {
        var context = await composer.LoadContextAsync(cancellationToken);
        var variants = await LoadAsync(kind, tracked: false, cancellationToken);
        var campaigns = await CampaignsAsync(cancellationToken);
        var authors = await AuthorsAsync(cancellationToken);
        return variants
            .Where(v => Differs(v, Render(context, v, campaigns, authors, cancellationToken)))
            .Select(v => new Outdated(v.Id, v.MessageId, v.Message!.Title, v.ChannelAccount!.Name, v.State, v.ScheduledAt, v.ManualOverride is not null, v.ChannelAccountId))
            .ToList();
    }

    /// <summary>
    /// Re-renders the given variants (those of <paramref name="kind"/> still outdated; others are left alone) in one
    /// transaction. Returns how many were re-rendered and how many of those went back to review. <paramref name="why"/>
    /// is what changed, for the audit log and the authors (default: the kind's template).
    /// </summary>
    public async Task<(int Rerendered, int BackToReview)> RerenderAsync(ChannelKind kind, IReadOnlyCollection<Guid> variantIds, Actor actor, string? why = null, CancellationToken cancellationToken = default)
    {
        why ??= $"the {kind} template changed";
        var context = await composer.LoadContextAsync(cancellationToken);
        var variants = (await LoadAsync(kind, tracked: true, cancellationToken)).Where(v => variantIds.Contains(v.Id)).ToList();
        var campaigns = await CampaignsAsync(cancellationToken);
        var authors = await AuthorsAsync(cancellationToken);
        var now = clock.GetUtcNow();
        int rerendered = 0, backToReview = 0;
        foreach (var variant in variants)
        {
            var rendered = Render(context, variant, campaigns, authors, cancellationToken);
            if (!Differs(variant, rendered))
                continue;
            var wasApproved = variant.State is VariantState.Approved or VariantState.Scheduled;
            // The link card stays as stored unless the link changed (or there is none yet): a template change is not the
            // page's, and reading a thousand pages would hold the brand manager's click.
            await linkCards.UpdateAsync(variant, variant.Message!, variant.ChannelAccount!.Kind, composer.MediaRulesFor(variant.ChannelAccount), rendered.Link,
                reread: false, fresh: false, cancellationToken);
            var changed = composer.Apply(context, variant, variant.Message!, variant.ChannelAccount!, rendered, variant.WarningAcceptances.Select(w => w.FindingKey));
            variant.UpdatedAt = now;
            workflow.Record(nameof(Variant), variant.Id.ToString(), "re-rendered", actor, why);
            if (changed)
            {
                workflow.ContentChanged(variant, actor, AccountWording.Capitalize(why));
                if (wasApproved && variant.State == VariantState.InReview)
                {
                    backToReview++;
                    notifier.Tell(variant.Message!.AuthorId,
                        $"{AccountWording.VariantOfCapitalized(variant.ChannelAccount!.Name, variant.Message.Title)} was re-rendered by {actor.Name} ({why}) and is back in review: what was approved is no longer what would go out.",
                        Notifier.VariantLink(variant.Id));
                }
            }
            rerendered++;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (rerendered, backToReview);
    }

    private async Task<List<Variant>> LoadAsync(ChannelKind kind, bool tracked, CancellationToken cancellationToken)
    {
        var name = kind.ToString();
        var query = db.Variants
            .Include(v => v.Message).Include(v => v.ChannelAccount).Include(v => v.Approvals).Include(v => v.WarningAcceptances)
            .Where(v => v.ChannelAccount!.Kind == name && Open.Contains(v.State))
            .OrderBy(v => v.ScheduledAt).ThenBy(v => v.Id)
            .Take(Limit)
            .AsSplitQuery();
        return await (tracked ? query : query.AsNoTracking()).ToListAsync(cancellationToken);
    }

    private Task<Dictionary<Guid, CampaignInput>> CampaignsAsync(CancellationToken cancellationToken) =>
        db.Campaigns.AsNoTracking().ToDictionaryAsync(c => c.Id, c => new CampaignInput(c.Name, c.UtmCampaign), cancellationToken);

    private Task<Dictionary<string, string>> AuthorsAsync(CancellationToken cancellationToken) =>
        db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);

    private RenderedVariant Render(CompositionContext context, Variant variant, Dictionary<Guid, CampaignInput> campaigns, Dictionary<string, string> authors, CancellationToken cancellationToken)
    {
        var message = variant.Message!;
        var campaign = message.CampaignId is { } id && campaigns.TryGetValue(id, out var c) ? c : null;
        return composer.Render(context, variant.Id, message, variant.ChannelAccount!, campaign, authors.GetValueOrDefault(message.AuthorId), cancellationToken, variant.Media);
    }

    /// <summary>Whether the fresh rendering differs from what the variant holds, in anything that would go out or be shown.</summary>
    private static bool Differs(Variant variant, RenderedVariant rendered) =>
        variant.RenderedText != rendered.Text
        || variant.RenderedHtml != rendered.Html
        || variant.Subject != rendered.Subject
        || variant.Preheader != rendered.Preheader
        || variant.Link != rendered.Link
        || (variant.ManualOverride is null && (variant.LinksJson is null) != (rendered.Links.Count == 0))
        || variant.JsonPayload != rendered.JsonPayload
        || variant.FeedEntry != rendered.FeedEntry
        || (variant.ManualOverride is null && !variant.ThreadParts.SequenceEqual(rendered.IsThread ? rendered.Parts.Select(p => p.Text) : []));
}
