using Npgsql;
using NpgsqlTypes;
using Publisher.Core.Analytics;

namespace Publisher.Web.Analytics;

/// <summary>
/// Writes clicks with binary COPY, the fastest way into PostgreSQL. COPY is all or nothing; should a batch that
/// was in fact written be sent again (the connection broke after the commit), the duplicate key makes it fall back
/// to an insert that skips rows already there, so no click is ever counted twice.
/// </summary>
public sealed class ClickBatchWriter : IEventBatchWriter<Click>
{
    private const string Columns = "\"Id\", \"At\", \"Code\", \"VariantId\", \"ChannelAccountId\", \"CampaignId\", \"VisitorHash\", \"ReferrerHost\", \"Device\", \"IsPreview\"";

    public Task WriteAsync(NpgsqlConnection connection, IReadOnlyList<Click> batch, CancellationToken cancellationToken) =>
        CopyWithFallbackAsync(connection, batch, Copy, Insert, cancellationToken);

    private static async Task Copy(NpgsqlConnection connection, IReadOnlyList<Click> batch, CancellationToken cancellationToken)
    {
        await using var import = await connection.BeginBinaryImportAsync($"COPY \"Clicks\" ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var c in batch)
        {
            await import.StartRowAsync(cancellationToken);
            await import.WriteAsync(c.Id, NpgsqlDbType.Uuid, cancellationToken);
            await import.WriteAsync(c.At, NpgsqlDbType.TimestampTz, cancellationToken);
            await import.WriteAsync(c.Code, NpgsqlDbType.Varchar, cancellationToken);
            await import.WriteAsync(c.VariantId, NpgsqlDbType.Uuid, cancellationToken);
            await import.WriteAsync(c.ChannelAccountId, NpgsqlDbType.Uuid, cancellationToken);
            await WriteNullable(import, c.CampaignId, NpgsqlDbType.Uuid, cancellationToken);
            await WriteNullable(import, c.VisitorHash, NpgsqlDbType.Bigint, cancellationToken);
            await WriteNullable(import, c.ReferrerHost, NpgsqlDbType.Varchar, cancellationToken);
            await import.WriteAsync(c.Device, NpgsqlDbType.Smallint, cancellationToken);
            await import.WriteAsync(c.IsPreview, NpgsqlDbType.Boolean, cancellationToken);
        }
        await import.CompleteAsync(cancellationToken);
    }

    private static async Task Insert(NpgsqlConnection connection, IReadOnlyList<Click> batch, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            INSERT INTO "Clicks" ({Columns})
            SELECT * FROM unnest(@id, @at, @code, @variant, @account, @campaign, @hash, @referrer, @device, @preview)
            ON CONFLICT DO NOTHING
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("id", batch.Select(c => c.Id).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("at", batch.Select(c => c.At).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("code", batch.Select(c => c.Code).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("variant", batch.Select(c => c.VariantId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("account", batch.Select(c => c.ChannelAccountId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<Guid?[]>("campaign", batch.Select(c => c.CampaignId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<long?[]>("hash", batch.Select(c => c.VisitorHash).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string?[]>("referrer", batch.Select(c => c.ReferrerHost).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        command.Parameters.Add(new NpgsqlParameter<short[]>("device", batch.Select(c => c.Device).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<bool[]>("preview", batch.Select(c => c.IsPreview).ToArray()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static async Task WriteNullable<TValue>(NpgsqlBinaryImporter import, TValue? value, NpgsqlDbType type, CancellationToken cancellationToken)
    {
        if (value is null)
            await import.WriteNullAsync(cancellationToken);
        else
            await import.WriteAsync(value, type, cancellationToken);
    }

    /// <summary>COPY; on a duplicate key the insert that skips existing rows; on a missing month the partitions are made and it is tried once more.</summary>
    internal static async Task CopyWithFallbackAsync<T>(NpgsqlConnection connection, IReadOnlyList<T> batch,
        Func<NpgsqlConnection, IReadOnlyList<T>, CancellationToken, Task> copy, Func<NpgsqlConnection, IReadOnlyList<T>, CancellationToken, Task> insert,
        CancellationToken cancellationToken)
    {
        try
        {
            await copy(connection, batch, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await insert(connection, batch, cancellationToken);
        }
        catch (Exception e) when (AnalyticsDatabase.IsMissingPartition(e))
        {
            await AnalyticsDatabase.EnsurePartitionsAsync(connection, DateTimeOffset.UtcNow.AddMonths(-1), 4, cancellationToken);
            await copy(connection, batch, cancellationToken);
        }
    }
}

/// <summary>Writes page views from /t.js, as <see cref="ClickBatchWriter"/> writes clicks.</summary>
public sealed class PageViewBatchWriter : IEventBatchWriter<PageView>
{
    private const string Columns = "\"Id\", \"At\", \"SessionId\", \"VisitorId\", \"VisitorHash\", \"StartsSession\", \"Host\", \"Path\", \"ClickId\", \"UtmSource\", \"UtmMedium\", \"UtmCampaign\", \"ReferrerHost\", \"Device\"";

    public Task WriteAsync(NpgsqlConnection connection, IReadOnlyList<PageView> batch, CancellationToken cancellationToken) =>
        ClickBatchWriter.CopyWithFallbackAsync(connection, batch, Copy, Insert, cancellationToken);

    private static async Task Copy(NpgsqlConnection connection, IReadOnlyList<PageView> batch, CancellationToken cancellationToken)
    {
        await using var import = await connection.BeginBinaryImportAsync($"COPY \"PageViews\" ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var p in batch)
        {
            await import.StartRowAsync(cancellationToken);
            await import.WriteAsync(p.Id, NpgsqlDbType.Uuid, cancellationToken);
            await import.WriteAsync(p.At, NpgsqlDbType.TimestampTz, cancellationToken);
            await import.WriteAsync(p.SessionId, NpgsqlDbType.Uuid, cancellationToken);
            await ClickBatchWriter.WriteNullable(import, p.VisitorId, NpgsqlDbType.Varchar, cancellationToken);
            await ClickBatchWriter.WriteNullable(import, p.VisitorHash, NpgsqlDbType.Bigint, cancellationToken);
            await import.WriteAsync(p.StartsSession, NpgsqlDbType.Boolean, cancellationToken);
            await import.WriteAsync(p.Host, NpgsqlDbType.Varchar, cancellationToken);
            await import.WriteAsync(p.Path, NpgsqlDbType.Varchar, cancellationToken);
            await ClickBatchWriter.WriteNullable(import, p.ClickId, NpgsqlDbType.Uuid, cancellationToken);
            await ClickBatchWriter.WriteNullable(import, p.UtmSource, NpgsqlDbType.Varchar, cancellationToken);
            await ClickBatchWriter.WriteNullable(import, p.UtmMedium, NpgsqlDbType.Varchar, cancellationToken);
            await ClickBatchWriter.WriteNullable(import, p.UtmCampaign, NpgsqlDbType.Varchar, cancellationToken);
            await ClickBatchWriter.WriteNullable(import, p.ReferrerHost, NpgsqlDbType.Varchar, cancellationToken);
            await import.WriteAsync(p.Device, NpgsqlDbType.Smallint, cancellationToken);
        }
        await import.CompleteAsync(cancellationToken);
    }

    private static async Task Insert(NpgsqlConnection connection, IReadOnlyList<PageView> batch, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            INSERT INTO "PageViews" ({Columns})
            SELECT * FROM unnest(@id, @at, @session, @visitor, @hash, @starts, @host, @path, @click, @source, @medium, @campaign, @referrer, @device)
            ON CONFLICT DO NOTHING
            """, connection);
        static NpgsqlParameter<string?[]> Text(string name, IEnumerable<string?> values) =>
            new(name, values.ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar };
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("id", batch.Select(p => p.Id).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("at", batch.Select(p => p.At).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("session", batch.Select(p => p.SessionId).ToArray()));
        command.Parameters.Add(Text("visitor", batch.Select(p => p.VisitorId)));
        command.Parameters.Add(new NpgsqlParameter<long?[]>("hash", batch.Select(p => p.VisitorHash).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<bool[]>("starts", batch.Select(p => p.StartsSession).ToArray()));
        command.Parameters.Add(Text("host", batch.Select(p => (string?)p.Host)));
        command.Parameters.Add(Text("path", batch.Select(p => (string?)p.Path)));
        command.Parameters.Add(new NpgsqlParameter<Guid?[]>("click", batch.Select(p => p.ClickId).ToArray()));
        command.Parameters.Add(Text("source", batch.Select(p => p.UtmSource)));
        command.Parameters.Add(Text("medium", batch.Select(p => p.UtmMedium)));
        command.Parameters.Add(Text("campaign", batch.Select(p => p.UtmCampaign)));
        command.Parameters.Add(Text("referrer", batch.Select(p => p.ReferrerHost)));
        command.Parameters.Add(new NpgsqlParameter<short[]>("device", batch.Select(p => p.Device).ToArray()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
