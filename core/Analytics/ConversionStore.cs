using Npgsql;
using NpgsqlTypes;
using Publisher.Analytics.Events;

namespace Publisher.Core.Analytics;

/// <summary>Stores reported conversions in one statement; an event id already stored (for its kind) is skipped, so a retried report counts once.</summary>
public static class ConversionStore
{
    /// <summary>Inserts <paramref name="events"/>; returns how many were new.</summary>
    /// <param name="source"><c>api</c> or <c>site</c>.</param>
    public static async Task<int> InsertAsync(NpgsqlConnection connection, IReadOnlyList<ReportedConversion> events, string source, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
            return 0;
        await using var command = new NpgsqlCommand("""
            INSERT INTO "Conversions" ("EventId", "Kind", "At", "Value", "Currency", "ClickId", "VisitorId", "EmailSha256", "Source")
            SELECT e.id, e.kind, e.at, e.value, e.currency, e.click, e.visitor, e.email, @source
            FROM unnest(@id, @kind, @at, @value, @currency, @click, @visitor, @email) AS e(id, kind, at, value, currency, click, visitor, email)
            ON CONFLICT ("Kind", "EventId") DO NOTHING
            """, connection);
        static NpgsqlParameter<string?[]> Text(string name, IEnumerable<string?> values) =>
            new(name, values.ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar };
        command.Parameters.Add(Text("id", events.Select(e => (string?)e.EventId)));
        command.Parameters.Add(new NpgsqlParameter<short[]>("kind", events.Select(e => (short)e.Kind).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("at", events.Select(e => e.At.ToUniversalTime()).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<decimal[]>("value", events.Select(e => e.Value).ToArray()));
        command.Parameters.Add(Text("currency", events.Select(e => e.Currency)));
        command.Parameters.Add(new NpgsqlParameter<Guid?[]>("click", events.Select(e => e.ClickId).ToArray()));
        command.Parameters.Add(Text("visitor", events.Select(e => e.VisitorId)));
        command.Parameters.Add(Text("email", events.Select(e => e.EmailSha256)));
        command.Parameters.AddWithValue("source", source);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
