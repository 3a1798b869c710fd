using System.Text.Json;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Review;
using Publisher.Core.Workflow;
using Publisher.Worker.Channels;

namespace Publisher.Worker.Publishing;

/// <summary>
/// The common outcome of a burst, a publication whose attempt is still open, written for a whole batch in one
/// round trip: each statement covers every such outcome at once (attempts, variants, audit events, notifications),
/// where the change tracker would write four rows per outcome and read each variant whole first. It writes exactly
/// what <see cref="OutcomeRecorder"/>'s Settle writes for a publication; any other outcome, and any variant that is
/// not plainly Publishing with this attempt open, goes through Settle as before, in the same transaction.
/// </summary>
internal static class PublishedOutcomes
{
    /// <summary>What the batch write needs to know of a locked variant.</summary>
    public sealed record Row(string State, bool AttemptOpen, string[] ExternalPartIds, string AuthorId, string Title, string AccountName);

    public sealed record Publication(PublishVariantJob.Claim Claim, PublishResult Result, Row Row);

    /// <summary>
    /// Locks the batch's variants in id order (so two workers recording overlapping batches cannot deadlock) and then
    /// reads them, in one round trip: the read is a statement of its own, so it sees what was committed while it waited
    /// for a lock.
    /// </summary>
    public static async Task<Dictionary<Guid, Row>> LockAsync(
        PublisherDbContext db, IReadOnlyList<(PublishVariantJob.Claim Claim, PublishResult Result)> outcomes, CancellationToken cancellationToken)
    {
        var ids = outcomes.Select(o => o.Claim.VariantId).Distinct().Order().ToArray();
        var attempts = outcomes.Select(o => o.Claim.AttemptId).ToArray();
        await using var batch = BatchSql.Batch(db);
        batch.BatchCommands.Add(BatchSql.Command("""SELECT "Id" FROM "Variants" WHERE "Id" = ANY(@ids) ORDER BY "Id" FOR UPDATE""", ("ids", ids)));
        batch.BatchCommands.Add(BatchSql.Command("""
            SELECT v."Id", v."State", v."ExternalPartIds", m."AuthorId", m."Title", c."Name",
                   EXISTS (SELECT 1 FROM "PublishAttempts" a WHERE a."VariantId" = v."Id" AND a."Id" = ANY(@attempts) AND a."FinishedAt" IS NULL)
            FROM "Variants" v JOIN "Messages" m ON m."Id" = v."MessageId" JOIN "ChannelAccounts" c ON c."Id" = v."ChannelAccountId"
            WHERE v."Id" = ANY(@ids)
            """, ("ids", ids), ("attempts", attempts)));
        var rows = new Dictionary<Guid, Row>(ids.Length);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows[reader.GetGuid(0)] = new Row(reader.GetString(1), reader.GetBoolean(6), reader.GetFieldValue<string[]>(2), reader.GetString(3), reader.GetString(4), reader.GetString(5));
        return rows;
    }

    /// <summary>The outcomes the batch write takes: publications of a variant still Publishing whose attempt is open, one per variant.</summary>
    public static List<Publication> Select(IReadOnlyList<(PublishVariantJob.Claim Claim, PublishResult Result)> outcomes, Dictionary<Guid, Row> rows)
    {
        var once = outcomes.GroupBy(o => o.Claim.VariantId).Where(g => g.Count() == 1).Select(g => g.Key).ToHashSet();
        return outcomes
            .Where(o => o.Result.Outcome == PublishOutcome.Published && once.Contains(o.Claim.VariantId))
            .Select(o => rows.TryGetValue(o.Claim.VariantId, out var row) ? new Publication(o.Claim, o.Result, row) : null)
            .OfType<Publication>()
            .Where(p => p.Row.AttemptOpen && p.Row.State == nameof(VariantState.Publishing)
                        && VariantTransitions.Refusal(VariantState.Publishing, VariantState.Published, OutcomeRecorder.PublishedReason(p.Claim)) is null)
            .ToList();
    }

    /// <summary>
    /// Writes the publications in one round trip. Every statement must touch one row per publication (the rows are
    /// locked, so they do); if one does not, the transaction is given up and the batch is written again.
    /// </summary>
    public static async Task WriteAsync(PublisherDbContext db, IReadOnlyList<Publication> publications, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var attemptIds = publications.Select(p => p.Claim.AttemptId).ToArray();
        var variantIds = publications.Select(p => p.Claim.VariantId).ToArray();
        var urls = publications.Select(p => BatchSql.Clean(OutcomeRecorder.PostAddress(p.Result))).ToArray();
        // Parts this answer names that the variant does not hold yet are added, in order (null: the list stays).
        var parts = publications.Select(p =>
        {
            var added = (p.Result.PostedPartIds ?? []).Where(part => !p.Row.ExternalPartIds.Contains(part)).Distinct().ToList();
            return added.Count == 0 ? null : JsonSerializer.Serialize(p.Row.ExternalPartIds.Concat(added).Select(BatchSql.Clean));
        }).ToArray();
        var notices = publications.Select(p => BatchSql.Clean(OutcomeRecorder.PublishedNotice(AccountWording.VariantOf(p.Row.AccountName, p.Row.Title), OutcomeRecorder.PostAddress(p.Result)))!).ToArray();

        await using var batch = BatchSql.Batch(db);
        batch.BatchCommands.Add(BatchSql.Command("""
            UPDATE "PublishAttempts" AS a SET "FinishedAt" = @now, "Outcome" = 'Published', "HttpStatus" = u.status, "Detail" = u.detail
            FROM unnest(@ids, @statuses, @details) AS u(id, status, detail)
            WHERE a."Id" = u.id AND a."FinishedAt" IS NULL
            """, ("now", now), ("ids", attemptIds), ("statuses", publications.Select(p => p.Result.HttpStatus).ToArray()),
            ("details", publications.Select(p => BatchSql.Clean(OutcomeRecorder.Trim(p.Result.Detail))).ToArray())));
        batch.BatchCommands.Add(BatchSql.Command("""
            UPDATE "Variants" AS v SET "State" = 'Published', "UpdatedAt" = @now, "PublishedAt" = @now, "LastError" = NULL,
                "ExternalId" = u.external_id, "ExternalUrl" = u.url,
                "ExternalPartIds" = CASE WHEN u.parts IS NULL THEN v."ExternalPartIds" ELSE ARRAY(SELECT jsonb_array_elements_text(u.parts::jsonb)) END
            FROM unnest(@ids, @external_ids, @urls, @parts) AS u(id, external_id, url, parts)
            WHERE v."Id" = u.id AND v."State" = 'Publishing'
            """, ("now", now), ("ids", variantIds), ("external_ids", publications.Select(p => BatchSql.Clean(p.Result.ExternalId)).ToArray()), ("urls", urls), ("parts", parts)));
        batch.BatchCommands.Add(BatchSql.Command("""
            INSERT INTO "AuditEvents" ("At", "ActorId", "ActorName", "EntityType", "EntityId", "Action", "FromState", "ToState", "Reason")
            SELECT @now, NULL, @actor, 'Variant', u.id, 'transition', 'Publishing', 'Published', u.reason
            FROM unnest(@entity_ids, @reasons) AS u(id, reason)
            """, ("now", now), ("actor", Actor.System.Name), ("entity_ids", variantIds.Select(id => id.ToString()).ToArray()),
            ("reasons", publications.Select(p => OutcomeRecorder.PublishedReason(p.Claim)).ToArray())));
        batch.BatchCommands.Add(BatchSql.Command("""
            INSERT INTO "Notifications" ("Id", "UserId", "Text", "Link", "CreatedAt", "VariantIds")
            SELECT u.id, u.user_id, u.text, u.link, @now, '{}' FROM unnest(@ids, @user_ids, @texts, @links) AS u(id, user_id, text, link)
            """, ("now", now), ("ids", publications.Select(_ => Guid.CreateVersion7()).ToArray()), ("user_ids", publications.Select(p => p.Row.AuthorId).ToArray()),
            ("texts", notices), ("links", variantIds.Select(Notifier.VariantLink).ToArray())));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        foreach (var command in batch.BatchCommands)
            if (command.RecordsAffected != publications.Count)
                throw new InvalidOperationException($"Recording {publications.Count} publication(s) touched {command.RecordsAffected} row(s) in one step; the batch is written again.");
    }
}
