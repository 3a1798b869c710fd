using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;

namespace Publisher.Worker.Publishing;

/// <summary>Statements sent together in one round trip, on a context's connection and in its transaction.</summary>
internal static class BatchSql
{
    /// <summary>A batch on the context's own connection, in its transaction.</summary>
    public static NpgsqlBatch Batch(PublisherDbContext db) =>
        new((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());

    public static NpgsqlBatchCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
            command.Parameters.Add(value switch
            {
                // Typed, so an array of nulls still reads as the column's type.
                string?[] texts => new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = texts },
                int?[] numbers => new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = numbers },
                _ => new NpgsqlParameter(name, value ?? DBNull.Value),
            });
        return command;
    }

    /// <summary>As <see cref="NulCharacterGuard"/> does for the change tracker: PostgreSQL text cannot hold U+0000.</summary>
    public static string? Clean(string? text) => text?.Replace('\0', '\uFFFD');
}

/// <summary>
/// A claim's common case, scheduled variants that are ready to go, written for the whole batch in one round trip:
/// each statement covers every such variant (the move to Publishing, the attempt, the audit event), exactly as
/// <see cref="VariantWorkflow.Transition"/> and the change tracker would write them one by one.
/// </summary>
internal static class ClaimWrites
{
    public static async Task WriteAsync(PublisherDbContext db, IReadOnlyList<(Variant Variant, PublishAttempt Attempt)> claims, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var variantIds = claims.Select(c => c.Variant.Id).ToArray();
        await using var batch = BatchSql.Batch(db);
        batch.BatchCommands.Add(BatchSql.Command("""
            UPDATE "Variants" SET "State" = 'Publishing', "Attempts" = "Attempts" + 1, "NextAttemptAt" = NULL, "UpdatedAt" = @now
            WHERE "Id" = ANY(@ids) AND "State" = 'Scheduled'
            """, ("now", now), ("ids", variantIds)));
        batch.BatchCommands.Add(BatchSql.Command("""
            INSERT INTO "PublishAttempts" ("Id", "VariantId", "Number", "ContentHash", "IdempotencyKey", "Worker", "StartedAt")
            SELECT u.id, u.variant_id, u.number, u.hash, u.key, @worker, u.started
            FROM unnest(@ids, @variant_ids, @numbers, @hashes, @keys, @started) AS u(id, variant_id, number, hash, key, started)
            """, ("worker", PublishWorkerHeartbeat.Name), ("ids", claims.Select(c => c.Attempt.Id).ToArray()), ("variant_ids", variantIds),
            ("numbers", claims.Select(c => c.Attempt.Number).ToArray()), ("hashes", claims.Select(c => BatchSql.Clean(c.Attempt.ContentHash)).ToArray()),
            ("keys", claims.Select(c => BatchSql.Clean(c.Attempt.IdempotencyKey)).ToArray()), ("started", claims.Select(c => c.Attempt.StartedAt).ToArray())));
        batch.BatchCommands.Add(BatchSql.Command("""
            INSERT INTO "AuditEvents" ("At", "ActorId", "ActorName", "EntityType", "EntityId", "Action", "FromState", "ToState", "Reason")
            SELECT @now, NULL, @actor, 'Variant', u.id, 'transition', 'Scheduled', 'Publishing', u.reason
            FROM unnest(@entity_ids, @reasons) AS u(id, reason)
            """, ("now", now), ("actor", Actor.System.Name), ("entity_ids", variantIds.Select(id => id.ToString()).ToArray()),
            ("reasons", claims.Select(c => PublishVariantJob.PublishingReason(c.Variant.Attempts)).ToArray())));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        foreach (var command in batch.BatchCommands)
            if (command.RecordsAffected != claims.Count)
                throw new InvalidOperationException($"Claiming {claims.Count} variant(s) touched {command.RecordsAffected} row(s) in one step; nothing is claimed.");
    }
}
