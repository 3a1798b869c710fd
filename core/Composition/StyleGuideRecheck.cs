using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Review;
using Publisher.Core.Workflow;
using Publisher.StyleGuide;

namespace Publisher.Core.Composition;

/// <summary>What a re-check against a new style guide did.</summary>
/// <param name="Checked">Variants not yet published that were checked again.</param>
/// <param name="Held">Scheduled variants held back because they now have style errors.</param>
/// <param name="Released">Held variants whose errors are gone, released.</param>
public sealed record RecheckSummary(int Checked, int Held, int Released);

/// <summary>
/// Checks every variant that can still go out against the current style guide after it changed, so a
/// new banned term cannot slip out in a post scheduled last week. A scheduled variant that now has
/// errors is held back (the worker will not publish it) and its author is told; a held variant whose
/// errors are gone is released. The web calls it after saving a guide version; the worker may too.
/// </summary>
public sealed class StyleGuideRecheck(PublisherDbContext db, VariantComposer composer, VariantWorkflow workflow, TimeProvider clock)
{
    /// <summary>Variants per round trip: big enough to be quick at 10,000, small enough to keep memory flat.</summary>
    public const int BatchSize = 500;

    private static readonly VariantState[] Done = [VariantState.Published, VariantState.Canceled];

    public async Task<RecheckSummary> RecheckAllAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        var context = await composer.LoadContextAsync(cancellationToken);
        var guideNumber = await db.StyleGuideVersions.MaxAsync(g => (int?)g.Number, cancellationToken);
        var accounts = await db.ChannelAccounts.AsNoTracking().ToDictionaryAsync(a => a.Id, cancellationToken);

        int checkedCount = 0, held = 0, released = 0;
        Guid? after = null;
        while (true)
        {
            var batch = await RecheckBatchWithRetryAsync(context, guideNumber, accounts, after, actor, cancellationToken);
            if (batch.Count == 0)
                break;
            checkedCount += batch.Count;
            held += batch.Held;
            released += batch.Released;
            after = batch.LastId;
        }
        return new RecheckSummary(checkedCount, held, released);
    }

    private sealed record BatchResult(int Count, int Held, int Released, Guid LastId);

    private async Task<BatchResult> RecheckBatchWithRetryAsync(CompositionContext context, int? guideNumber,
        Dictionary<Guid, ChannelAccount> accounts, Guid? after, Actor actor, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await RecheckBatchAsync(context, guideNumber, accounts, after, actor, cancellationToken);
            }
            catch (DbUpdateConcurrencyException) when (attempt < 3)
            {
                // Someone saved one of these variants meanwhile: check the batch again from what they saved.
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<BatchResult> RecheckBatchAsync(CompositionContext context, int? guideNumber,
        Dictionary<Guid, ChannelAccount> accounts, Guid? after, Actor actor, CancellationToken cancellationToken)
    {
        var query = db.Variants.Where(v => !Done.Contains(v.State));
        if (after is { } last)
            query = query.Where(v => v.Id.CompareTo(last) > 0);
        var variants = await query.OrderBy(v => v.Id).Take(BatchSize).ToListAsync(cancellationToken);
        if (variants.Count == 0)
            return new BatchResult(0, 0, 0, after ?? Guid.Empty);

        var variantIds = variants.Select(v => v.Id).ToList();
        var messageIds = variants.Select(v => v.MessageId).Distinct().ToList();
        var messages = await db.Messages.AsNoTracking().Where(m => messageIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, cancellationToken);
        var accepted = (await db.WarningAcceptances.AsNoTracking().Where(w => variantIds.Contains(w.VariantId))
                .Select(w => new { w.VariantId, w.FindingKey }).ToListAsync(cancellationToken))
            .ToLookup(w => w.VariantId, w => w.FindingKey);

        int held = 0, released = 0;
        var now = clock.GetUtcNow();
        foreach (var variant in variants)
        {
            if (!messages.TryGetValue(variant.MessageId, out var message) || !accounts.TryGetValue(variant.ChannelAccountId, out var account))
                continue;
            var wasHeld = variant.HeldByStyleGuide;
            var result = composer.Check(context, variant, message, account, accepted[variant.Id]);

            if (result.HasErrors && variant.State == VariantState.Scheduled && !wasHeld)
            {
                variant.HeldByStyleGuide = true;
                variant.UpdatedAt = now;
                var why = Reasons(result);
                workflow.Record(nameof(Variant), variant.Id.ToString(), "held by style guide", actor,
                    $"Style guide {VersionName(guideNumber)} finds errors: {why}");
                db.Notifications.Add(new Notification
                {
                    UserId = message.AuthorId,
                    Text = $"{AccountWording.Your(account.Name)} variant of “{message.Title}” is held back and will not be published: " +
                           $"style guide {VersionName(guideNumber)} finds {why}. Fix it and it goes out as scheduled.",
                    Link = Notifier.VariantLink(variant.Id),
                    CreatedAt = now,
                });
                held++;
            }
            else if (!result.HasErrors && wasHeld)
            {
                variant.HeldByStyleGuide = false;
                variant.UpdatedAt = now;
                workflow.Record(nameof(Variant), variant.Id.ToString(), "released by style guide", actor,
                    $"Style guide {VersionName(guideNumber)} finds no errors any more.");
                released++;
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return new BatchResult(variants.Count, held, released, variants[^1].Id);
    }

    private static string VersionName(int? number) => number is { } n ? $"version {n}" : "(none saved)";

    private static string Reasons(LintResult result)
    {
        var errors = result.Findings.Where(f => f.Severity == Severity.Error).ToList();
        var first = string.Join("; ", errors.Take(3).Select(f => f.Message));
        return errors.Count > 3 ? $"{errors.Count} errors: {first}; …" : errors.Count == 1 ? $"an error: {first}" : $"{errors.Count} errors: {first}";
    }
}
