using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Publisher.Analytics.Attribution;
using Publisher.Analytics.Events;
using Publisher.Core.Publishing;

namespace Publisher.Core.Analytics;

/// <summary>
/// Keeps the dashboard's hourly rollups up to date, incrementally: each step reads the next rows that arrived
/// (clicks, page views, conversions, by arrival order), joins the ways people are known into people, finds their
/// touches, credits every visit and conversion with <see cref="Attributor"/>, and adds the result to the hour tables,
/// in one transaction with the new watermark. A row is counted once, <see cref="AnalyticsOptions.SettleDelay"/>
/// after it arrived; its credit is not revised later.
/// </summary>
public sealed class AnalyticsRollups(AnalyticsDatabase database, IOptions<AnalyticsOptions> options, IOptions<PublishingOptions> publishing, TimeProvider clock,
    ILogger<AnalyticsRollups>? logger = null)
{
    private const long LockKey = 0x5075_626c_6973_6801; // one rollup at a time, across every process
    private readonly ILogger _logger = logger ?? NullLogger<AnalyticsRollups>.Instance;

    /// <summary>What one catch-up did.</summary>
    public sealed record Progress(int Clicks, int PageViews, int Conversions, bool CaughtUp);

    /// <summary>
    /// Runs steps until every settled row is counted or <paramref name="budget"/> is spent. Returns at once (not caught
    /// up) when another process is rolling up.
    /// </summary>
    public async Task<Progress> CatchUpAsync(TimeSpan budget, CancellationToken cancellationToken = default)
    {
        var started = clock.GetTimestamp();
        int clicks = 0, views = 0, conversions = 0;
        while (true)
        {
            var step = await StepAsync(cancellationToken);
            if (step is null)
                return new Progress(clicks, views, conversions, CaughtUp: false);
            clicks += step.Clicks;
            views += step.PageViews;
            conversions += step.Conversions;
            if (step.CaughtUp)
                return new Progress(clicks, views, conversions, CaughtUp: true);
            if (clock.GetElapsedTime(started) > budget)
                return new Progress(clicks, views, conversions, CaughtUp: false);
        }
    }

    /// <summary>One batch of each source, in one transaction; null when another process holds the rollup lock.</summary>
    public async Task<Progress?> StepAsync(CancellationToken cancellationToken = default)
    {
        var batch = options.Value.RollupBatchSize;
        var until = clock.GetUtcNow() - options.Value.SettleDelay;
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var locking = new NpgsqlCommand($"SELECT pg_try_advisory_xact_lock({LockKey})", connection, transaction))
        {
            if (!(bool)(await locking.ExecuteScalarAsync(cancellationToken))!)
                return null;
        }
        var lookback = TimeSpan.FromDays(await LookbackDaysAsync(connection, transaction, cancellationToken));
        // The blog is served by this app: its articles' views are the page views of /blog/{slug} on its host.
        var ownHost = Uri.TryCreate(publishing.Value.PublicUrl, UriKind.Absolute, out var publicUrl) ? publicUrl.Host.ToLowerInvariant() : null;

        // Each source is counted only as far as the ones it is credited from: a session after the clicks before it, a
        // conversion after the visits before it. Otherwise a backlog of visits (a full batch, more waiting) would let a
        // conversion received after its visit be credited before that visit is known, and it would stay uncredited.
        var clicks = await RollUpClicksAsync(connection, transaction, until, batch, cancellationToken);
        if (clicks == batch)
            until = Earlier(until, (await WatermarkAsync(connection, transaction, "clicks", cancellationToken)).At);
        var views = await RollUpPageViewsAsync(connection, transaction, until, batch, lookback, ownHost, cancellationToken);
        if (views == batch)
            until = Earlier(until, (await WatermarkAsync(connection, transaction, "pageviews", cancellationToken)).At);
        var conversions = await RollUpConversionsAsync(connection, transaction, until, batch, lookback, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (clicks + views + conversions > 0)
            _logger.LogDebug("Rolled up {Clicks} clicks, {Views} page views, {Conversions} conversions.", clicks, views, conversions);
        return new Progress(clicks, views, conversions, CaughtUp: clicks < batch && views < batch && conversions < batch);
    }

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;

    private static async Task<int> LookbackDaysAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""SELECT "LookbackDays" FROM "AnalyticsSettings" WHERE "Id" = 1""", connection, transaction);
        return await command.ExecuteScalarAsync(cancellationToken) is int days ? days : 30;
    }

    // ---- watermarks ---------------------------------------------------------------------------------------------

    private static async Task<(DateTimeOffset At, string Id)> WatermarkAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""SELECT "ReceivedAt", "LastId" FROM "AnalyticsWatermarks" WHERE "Name" = @name""", connection, transaction);
        command.Parameters.AddWithValue("name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1)) : (DateTimeOffset.UnixEpoch, "");
    }

    private static async Task SaveWatermarkAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, DateTimeOffset at, string id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO "AnalyticsWatermarks" ("Name", "ReceivedAt", "LastId") VALUES (@name, @at, @id)
            ON CONFLICT ("Name") DO UPDATE SET "ReceivedAt" = EXCLUDED."ReceivedAt", "LastId" = EXCLUDED."LastId"
            """, connection, transaction);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("at", at);
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The next rows of <paramref name="table"/> after the watermark (<c>@fromAt</c>, <c>@fromId</c>), received by
    /// <c>@until</c>, in arrival order, at most <c>@batch</c>: an ordered range scan of the (ReceivedAt, Id) index, so a
    /// step costs the same however many events the table holds. Every row is read whatever its own time: a click or
    /// visit that arrives late (a replayed backlog, an import) is counted in its hour like any other, never skipped.
    /// </summary>
    public static string NextRowsSql(string table, string columns) => $"""
        SELECT {columns.Trim()} FROM "{table}"
        WHERE ("ReceivedAt", "Id") > (@fromAt, @fromId) AND "ReceivedAt" >= @fromAt AND "ReceivedAt" <= @until
        ORDER BY "ReceivedAt", "Id" LIMIT @batch
        """;

    private static DateTimeOffset HourOf(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    // ---- clicks -------------------------------------------------------------------------------------------------

    private sealed record ClickRow(Guid Id, DateTimeOffset At, Guid VariantId, Guid AccountId, long? VisitorHash, bool IsPreview, DateTimeOffset ReceivedAt);

    private static async Task<int> RollUpClicksAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset until, int batch, CancellationToken cancellationToken)
    {
        var (fromAt, fromId) = await WatermarkAsync(connection, transaction, "clicks", cancellationToken);
        var rows = new List<ClickRow>();
        await using (var command = new NpgsqlCommand(NextRowsSql("Clicks", """ "Id", "At", "VariantId", "ChannelAccountId", "VisitorHash", "IsPreview", "ReceivedAt" """),
            connection, transaction))
        {
            command.Parameters.AddWithValue("fromAt", fromAt);
            command.Parameters.AddWithValue("fromId", Guid.TryParse(fromId, out var id) ? id : Guid.Empty);
            command.Parameters.AddWithValue("until", until);
            command.Parameters.AddWithValue("batch", batch);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                rows.Add(new ClickRow(reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetGuid(2), reader.GetGuid(3),
                    reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.GetBoolean(5), reader.GetFieldValue<DateTimeOffset>(6)));
        }
        if (rows.Count == 0)
            return 0;

        // Each visitor counts once a day per account: the first click of the day records the visitor, and the hour of that click gets it.
        var firstOfDay = rows.Where(r => !r.IsPreview && r.VisitorHash is not null)
            .GroupBy(r => (Day: DateOnly.FromDateTime(r.At.UtcDateTime), r.AccountId, Hash: r.VisitorHash!.Value))
            .Select(g => g.MinBy(r => r.At)!)
            .ToList();
        var newVisitors = new HashSet<(DateOnly, Guid, long)>();
        if (firstOfDay.Count > 0)
        {
            await using var insert = new NpgsqlCommand("""
                INSERT INTO "VisitorDays" ("Day", "ChannelAccountId", "VisitorHash")
                SELECT * FROM unnest(@day, @account, @hash) ON CONFLICT DO NOTHING
                RETURNING "Day", "ChannelAccountId", "VisitorHash"
                """, connection, transaction);
            insert.Parameters.Add(new NpgsqlParameter<DateOnly[]>("day", firstOfDay.Select(r => DateOnly.FromDateTime(r.At.UtcDateTime)).ToArray()));
            insert.Parameters.Add(new NpgsqlParameter<Guid[]>("account", firstOfDay.Select(r => r.AccountId).ToArray()));
            insert.Parameters.Add(new NpgsqlParameter<long[]>("hash", firstOfDay.Select(r => r.VisitorHash!.Value).ToArray()));
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                newVisitors.Add((reader.GetFieldValue<DateOnly>(0), reader.GetGuid(1), reader.GetInt64(2)));
        }
        var visitorHours = firstOfDay.Where(r => newVisitors.Contains((DateOnly.FromDateTime(r.At.UtcDateTime), r.AccountId, r.VisitorHash!.Value)))
            .GroupBy(r => (Hour: HourOf(r.At), r.VariantId)).ToDictionary(g => g.Key, g => g.Count());

        var hours = rows.GroupBy(r => (Hour: HourOf(r.At), r.VariantId))
            .Select(g => (g.Key.Hour, g.Key.VariantId, Account: g.First().AccountId, Clicks: g.Count(r => !r.IsPreview), Previews: g.Count(r => r.IsPreview),
                Visitors: visitorHours.GetValueOrDefault(g.Key)))
            .ToList();
        // The same counts go to the hour, the day (per variant) and the account's hour, in one statement: the dashboard
        // reads the smallest table that answers each question, and all three always agree.
        await using (var upsert = new NpgsqlCommand("""
            WITH h AS (SELECT * FROM unnest(@hour, @variant, @account, @clicks, @previews, @visitors) AS t(hour, variant, account, clicks, previews, visitors)),
            hours AS (
                INSERT INTO "ClickHours" ("Hour", "VariantId", "ChannelAccountId", "Clicks", "Previews", "Visitors")
                SELECT hour, variant, account, clicks, previews, visitors FROM h
                ON CONFLICT ("Hour", "VariantId") DO UPDATE SET
                    "Clicks" = "ClickHours"."Clicks" + EXCLUDED."Clicks",
                    "Previews" = "ClickHours"."Previews" + EXCLUDED."Previews",
                    "Visitors" = "ClickHours"."Visitors" + EXCLUDED."Visitors"),
            days AS (
                INSERT INTO "ClickDays" ("Day", "VariantId", "ChannelAccountId", "Clicks", "Previews", "Visitors")
                SELECT (hour AT TIME ZONE 'UTC')::date, variant, min(account::text)::uuid, sum(clicks), sum(previews), sum(visitors) FROM h GROUP BY 1, 2
                ON CONFLICT ("Day", "VariantId") DO UPDATE SET
                    "Clicks" = "ClickDays"."Clicks" + EXCLUDED."Clicks",
                    "Previews" = "ClickDays"."Previews" + EXCLUDED."Previews",
                    "Visitors" = "ClickDays"."Visitors" + EXCLUDED."Visitors")
            INSERT INTO "AccountClickHours" ("ChannelAccountId", "Hour", "Clicks", "Previews", "Visitors")
            SELECT account, hour, sum(clicks), sum(previews), sum(visitors) FROM h GROUP BY 1, 2
            ON CONFLICT ("ChannelAccountId", "Hour") DO UPDATE SET
                "Clicks" = "AccountClickHours"."Clicks" + EXCLUDED."Clicks",
                "Previews" = "AccountClickHours"."Previews" + EXCLUDED."Previews",
                "Visitors" = "AccountClickHours"."Visitors" + EXCLUDED."Visitors"
            """, connection, transaction))
        {
            upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("hour", hours.Select(h => h.Hour).ToArray()));
            upsert.Parameters.Add(new NpgsqlParameter<Guid[]>("variant", hours.Select(h => h.VariantId).ToArray()));
            upsert.Parameters.Add(new NpgsqlParameter<Guid[]>("account", hours.Select(h => h.Account).ToArray()));
            upsert.Parameters.Add(new NpgsqlParameter<int[]>("clicks", hours.Select(h => h.Clicks).ToArray()));
            upsert.Parameters.Add(new NpgsqlParameter<int[]>("previews", hours.Select(h => h.Previews).ToArray()));
            upsert.Parameters.Add(new NpgsqlParameter<int[]>("visitors", hours.Select(h => h.Visitors).ToArray()));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        var last = rows[^1];
        await SaveWatermarkAsync(connection, transaction, "clicks", last.ReceivedAt, last.Id.ToString(), cancellationToken);
        return rows.Count;
    }

    // ---- page views (sessions, blog views) ----------------------------------------------------------------------

    private sealed record ViewRow(Guid Id, DateTimeOffset At, string? VisitorId, bool StartsSession, string Host, string Path, Guid? ClickId, DateTimeOffset ReceivedAt);

    private async Task<int> RollUpPageViewsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset until, int batch, TimeSpan lookback, string? ownHost,
        CancellationToken cancellationToken)
    {
        var (fromAt, fromId) = await WatermarkAsync(connection, transaction, "pageviews", cancellationToken);
        var rows = new List<ViewRow>();
        await using (var command = new NpgsqlCommand(NextRowsSql("PageViews", """ "Id", "At", "VisitorId", "StartsSession", "Host", "Path", "ClickId", "ReceivedAt" """),
            connection, transaction))
        {
            command.Parameters.AddWithValue("fromAt", fromAt);
            command.Parameters.AddWithValue("fromId", Guid.TryParse(fromId, out var id) ? id : Guid.Empty);
            command.Parameters.AddWithValue("until", until);
            command.Parameters.AddWithValue("batch", batch);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                rows.Add(new ViewRow(reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetBoolean(3),
                    reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetGuid(6), reader.GetFieldValue<DateTimeOffset>(7)));
        }
        if (rows.Count == 0)
            return 0;

        if (ownHost is not null)
        {
            var blogViews = rows.Where(r => r.Host == ownHost && r.Path.StartsWith("/blog/", StringComparison.Ordinal) && r.Path.Length > 6 && r.Path.IndexOf('/', 6) < 0 && r.Path != "/blog/feed.atom")
                .GroupBy(r => (Hour: HourOf(r.At), Slug: r.Path[6..]))
                .Select(g => (g.Key.Hour, g.Key.Slug, Views: g.Count()))
                .ToList();
            if (blogViews.Count > 0)
            {
                await using var upsert = new NpgsqlCommand("""
                    INSERT INTO "BlogViewHours" ("Hour", "Slug", "Views") SELECT * FROM unnest(@hour, @slug, @views)
                    ON CONFLICT ("Hour", "Slug") DO UPDATE SET "Views" = "BlogViewHours"."Views" + EXCLUDED."Views"
                    """, connection, transaction);
                upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("hour", blogViews.Select(v => v.Hour).ToArray()));
                upsert.Parameters.Add(new NpgsqlParameter<string[]>("slug", blogViews.Select(v => v.Slug.Length > 200 ? v.Slug[..200] : v.Slug).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
                upsert.Parameters.Add(new NpgsqlParameter<int[]>("views", blogViews.Select(v => v.Views).ToArray()));
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        var sessions = rows.Where(r => r.StartsSession)
            .Select(r => new Pending(new AttributableEvent("s:" + r.Id.ToString("N"), null, r.At, ConversionKind.Session), Keys(r.ClickId, r.VisitorId, null)))
            .ToList();
        await CreditAsync(connection, transaction, sessions, lookback, cancellationToken);
        var last = rows[^1];
        await SaveWatermarkAsync(connection, transaction, "pageviews", last.ReceivedAt, last.Id.ToString(), cancellationToken);
        return rows.Count;
    }

    // ---- conversions --------------------------------------------------------------------------------------------

    private async Task<int> RollUpConversionsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset until, int batch, TimeSpan lookback,
        CancellationToken cancellationToken)
    {
        var (fromAt, fromId) = await WatermarkAsync(connection, transaction, "conversions", cancellationToken);
        var pending = new List<Pending>();
        DateTimeOffset lastAt = fromAt;
        long lastId = 0;
        await using (var command = new NpgsqlCommand(NextRowsSql("Conversions", """ "Id", "Kind", "At", "Value", "Currency", "ClickId", "VisitorId", "EmailSha256", "ReceivedAt" """),
            connection, transaction))
        {
            command.Parameters.AddWithValue("fromAt", fromAt);
            command.Parameters.AddWithValue("fromId", long.TryParse(fromId, out var id) ? id : 0L);
            command.Parameters.AddWithValue("until", until);
            command.Parameters.AddWithValue("batch", batch);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                lastId = reader.GetInt64(0);
                lastAt = reader.GetFieldValue<DateTimeOffset>(8);
                var kind = (ConversionKind)reader.GetInt16(1);
                var e = new AttributableEvent("v:" + lastId, null, reader.GetFieldValue<DateTimeOffset>(2), kind, reader.GetDecimal(3), reader.IsDBNull(4) ? null : reader.GetString(4));
                pending.Add(new Pending(e, Keys(reader.IsDBNull(5) ? null : reader.GetGuid(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7))));
            }
        }
        if (pending.Count == 0)
            return 0;
        await CreditAsync(connection, transaction, pending, lookback, cancellationToken);
        await SaveWatermarkAsync(connection, transaction, "conversions", lastAt, lastId.ToString(), cancellationToken);
        return pending.Count;
    }

    // ---- identities, touches, credit ----------------------------------------------------------------------------

    private sealed record Pending(AttributableEvent Event, IReadOnlyList<string> Keys);

    /// <summary>The identity keys of an event: its click id, visitor id and e-mail hash.</summary>
    public static IReadOnlyList<string> Keys(Guid? clickId, string? visitorId, string? emailSha256)
    {
        var keys = new List<string>(3);
        if (clickId is { } c)
            keys.Add("c:" + c.ToString("N"));
        if (!string.IsNullOrEmpty(visitorId))
            keys.Add("v:" + visitorId);
        if (!string.IsNullOrEmpty(emailSha256))
            keys.Add("e:" + emailSha256);
        return keys;
    }

    private async Task CreditAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<Pending> pending, TimeSpan lookback, CancellationToken cancellationToken)
    {
        if (pending.Count == 0)
            return;
        // The ways the batch's people are known, widened by the events that link them but are not counted yet: a shop's
        // qualified lead reported by e-mail hash a moment before the site's contact (which carries the visitor and
        // click ids) is written would otherwise be credited to nobody, and its credit is never revised.
        var (ahead, keys) = await LinkAheadAsync(connection, transaction, pending.SelectMany(p => p.Keys), cancellationToken);
        var known = new List<KeyValuePair<string, Guid>>();
        await using (var command = new NpgsqlCommand("""SELECT "Key", "PersonId" FROM "AnalyticsIdentities" WHERE "Key" = ANY(@keys)""", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<string[]>("keys", keys) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                known.Add(new(reader.GetString(0), reader.GetGuid(1)));
        }
        var graph = new IdentityGraph(known);
        var events = pending.Select(p => p.Event).ToList();
        // Link first (all of the batch and what links it), then read each event's person: a later event may join two earlier ones.
        foreach (var link in ahead)
            graph.Link(link);
        foreach (var p in pending.Where(p => p.Keys.Count > 0))
            graph.Link(p.Keys);
        for (var i = 0; i < pending.Count; i++)
        {
            if (pending[i].Keys.Count > 0)
                events[i] = pending[i].Event with { PersonId = graph.PersonOf(pending[i].Keys[0])!.Value.ToString("N") };
        }
        await SaveIdentitiesAsync(connection, transaction, graph, pending.Max(p => p.Event.At), cancellationToken);

        var persons = events.Where(e => e.PersonId is not null).Select(e => Guid.ParseExact(e.PersonId!, "N")).Distinct().ToArray();
        var touches = persons.Length == 0 ? [] : await TouchesAsync(connection, transaction, persons, events.Min(e => e.At) - lookback, events.Max(e => e.At), cancellationToken);
        var credits = Attributor.Credit(touches, events, new AttributionSettings(lookback));
        await AddCreditsAsync(connection, transaction, credits, cancellationToken);
    }

    /// <summary>
    /// The key groups of stored events, counted or not, that share a key with <paramref name="start"/>, followed
    /// transitively a few steps (an e-mail hash to the contact that also carries a visitor id, that visitor to the visit
    /// that landed with a click id), and every key reached. Which touches count is still decided by time (only touches
    /// before an event are credited): this finds who someone is, never what happened later.
    /// </summary>
    private static async Task<(List<string[]> Links, string[] Keys)> LinkAheadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<string> start,
        CancellationToken cancellationToken)
    {
        const int MaxSteps = 3, MaxKeys = 50_000;
        var seen = new HashSet<string>(start, StringComparer.Ordinal);
        var links = new List<string[]>();
        var frontier = seen.ToList();
        for (var step = 0; step < MaxSteps && frontier.Count > 0 && seen.Count < MaxKeys; step++)
        {
            string[] Of(string prefix) => frontier.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(k => k[2..]).ToArray();
            var clicks = Of("c:").Select(c => Guid.TryParseExact(c, "N", out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).ToArray();
            var visitors = Of("v:");
            var emails = Of("e:");
            await using var command = new NpgsqlCommand("""
                SELECT "ClickId", "VisitorId", "EmailSha256" FROM "Conversions"
                WHERE num_nonnulls("ClickId", "VisitorId", "EmailSha256") >= 2
                  AND ("EmailSha256" = ANY(@emails) OR "VisitorId" = ANY(@visitors) OR "ClickId" = ANY(@clicks))
                UNION
                SELECT "ClickId", "VisitorId", NULL FROM "PageViews"
                WHERE "StartsSession" AND "ClickId" IS NOT NULL AND "VisitorId" IS NOT NULL
                  AND ("VisitorId" = ANY(@visitors) OR "ClickId" = ANY(@clicks))
                """, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string[]>("emails", emails) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
            command.Parameters.Add(new NpgsqlParameter<string[]>("visitors", visitors) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
            command.Parameters.Add(new NpgsqlParameter<Guid[]>("clicks", clicks));
            frontier = [];
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var link = Keys(reader.IsDBNull(0) ? null : reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
                links.Add([.. link]);
                frontier.AddRange(link.Where(seen.Add));
            }
        }
        return (links, seen.ToArray());
    }

    private static async Task SaveIdentitiesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IdentityGraph graph, DateTimeOffset seen, CancellationToken cancellationToken)
    {
        foreach (var (from, into) in graph.Merges)
        {
            await using var merge = new NpgsqlCommand("""UPDATE "AnalyticsIdentities" SET "PersonId" = @into WHERE "PersonId" = @from""", connection, transaction);
            merge.Parameters.AddWithValue("from", from);
            merge.Parameters.AddWithValue("into", into);
            await merge.ExecuteNonQueryAsync(cancellationToken);
        }
        var all = graph.Keys;
        await using var upsert = new NpgsqlCommand("""
            INSERT INTO "AnalyticsIdentities" ("Key", "PersonId", "LastSeenAt") SELECT k, p, @seen FROM unnest(@keys, @persons) AS t(k, p)
            ON CONFLICT ("Key") DO UPDATE SET "PersonId" = EXCLUDED."PersonId", "LastSeenAt" = greatest("AnalyticsIdentities"."LastSeenAt", EXCLUDED."LastSeenAt")
            """, connection, transaction);
        upsert.Parameters.Add(new NpgsqlParameter<string[]>("keys", all.Keys.ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        upsert.Parameters.Add(new NpgsqlParameter<Guid[]>("persons", all.Values.ToArray()));
        upsert.Parameters.AddWithValue("seen", seen);
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The touches of <paramref name="persons"/> between <paramref name="from"/> and <paramref name="to"/>: their clicks, and their visits tagged with UTM from elsewhere.</summary>
    private static async Task<List<Touch>> TouchesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid[] persons, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        var clickPerson = new Dictionary<Guid, Guid>();
        var visitorPerson = new Dictionary<string, Guid>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("""SELECT "Key", "PersonId" FROM "AnalyticsIdentities" WHERE "PersonId" = ANY(@persons) AND ("Key" LIKE 'c:%' OR "Key" LIKE 'v:%')""", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid[]>("persons", persons));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = reader.GetString(0);
                if (key.StartsWith("c:", StringComparison.Ordinal) && Guid.TryParseExact(key[2..], "N", out var click))
                    clickPerson[click] = reader.GetGuid(1);
                else if (key.StartsWith("v:", StringComparison.Ordinal))
                    visitorPerson[key[2..]] = reader.GetGuid(1);
            }
        }
        var touches = new List<Touch>();
        if (clickPerson.Count > 0)
        {
            await using var command = new NpgsqlCommand("""
                SELECT "Id", "At", "VariantId", "ChannelAccountId", "CampaignId" FROM "Clicks"
                WHERE "Id" = ANY(@ids) AND NOT "IsPreview" AND "At" >= @from AND "At" <= @to
                """, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", clickPerson.Keys.ToArray()));
            command.Parameters.AddWithValue("from", from);
            command.Parameters.AddWithValue("to", to);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetGuid(0);
                touches.Add(new Touch("c:" + id.ToString("N"), clickPerson[id].ToString("N"), reader.GetFieldValue<DateTimeOffset>(1), Channel.Account(reader.GetGuid(3)),
                    reader.GetGuid(2), reader.IsDBNull(4) ? null : reader.GetGuid(4)));
            }
        }
        if (visitorPerson.Count > 0)
        {
            await using var command = new NpgsqlCommand("""
                SELECT "Id", "At", "VisitorId", "UtmSource" FROM "PageViews"
                WHERE "VisitorId" = ANY(@visitors) AND "StartsSession" AND "UtmSource" IS NOT NULL AND "ClickId" IS NULL AND "At" >= @from AND "At" <= @to
                """, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string[]>("visitors", visitorPerson.Keys.ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
            command.Parameters.AddWithValue("from", from);
            command.Parameters.AddWithValue("to", to);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                touches.Add(new Touch("s:" + reader.GetGuid(0).ToString("N"), visitorPerson[reader.GetString(2)].ToString("N"), reader.GetFieldValue<DateTimeOffset>(1),
                    Channel.Other(reader.GetString(3))));
        }
        return touches;
    }

    private sealed class Sums
    {
        public readonly double[] Share = new double[4];
        public readonly decimal[] Revenue = new decimal[4];

        public void Add(Credit credit)
        {
            Share[(int)credit.Model] += credit.Share;
            Revenue[(int)credit.Model] += credit.Revenue;
        }
    }

    private static async Task AddCreditsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<Credit> credits, CancellationToken cancellationToken)
    {
        if (credits.Count == 0)
            return;
        var byChannel = new Dictionary<(DateTimeOffset Hour, string Channel, short Kind, string Currency), Sums>();
        var byVariant = new Dictionary<(DateTimeOffset Hour, Guid Variant, short Kind, string Currency), Sums>();
        foreach (var credit in credits)
        {
            var hour = HourOf(credit.Event.At);
            var kind = (short)credit.Event.Kind;
            var currency = credit.Event.Kind == ConversionKind.Sale ? credit.Event.Currency ?? "" : "";
            var channelKey = (hour, credit.Channel.Key, kind, currency);
            if (!byChannel.TryGetValue(channelKey, out var sums))
                byChannel[channelKey] = sums = new Sums();
            sums.Add(credit);
            if (credit.VariantId is { } variant)
            {
                var variantKey = (hour, variant, kind, currency);
                if (!byVariant.TryGetValue(variantKey, out var variantSums))
                    byVariant[variantKey] = variantSums = new Sums();
                variantSums.Add(credit);
            }
        }
        await UpsertAsync(connection, transaction, "ChannelHours", "Channel", byChannel.Select(p => (p.Key.Hour, (object)p.Key.Channel, p.Key.Kind, p.Key.Currency, p.Value)).ToList(), cancellationToken);
        if (byVariant.Count > 0)
            await UpsertAsync(connection, transaction, "VariantHours", "VariantId", byVariant.Select(p => (p.Key.Hour, (object)p.Key.Variant, p.Key.Kind, p.Key.Currency, p.Value)).ToList(), cancellationToken);
    }

    private static async Task UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, string keyColumn,
        List<(DateTimeOffset Hour, object Key, short Kind, string Currency, Sums Sums)> rows, CancellationToken cancellationToken)
    {
        string[] models = ["FirstTouch", "LastTouch", "Linear", "PositionBased"];
        var columns = string.Join(", ", models.Select(m => $"\"{m}\"").Concat(models.Select(m => $"\"{m}Revenue\"")));
        var updates = string.Join(", ", models.Select(m => $"\"{m}\"").Concat(models.Select(m => $"\"{m}Revenue\"")).Select(c => $"{c} = \"{table}\".{c} + EXCLUDED.{c}"));
        await using var command = new NpgsqlCommand($"""
            INSERT INTO "{table}" ("Hour", "{keyColumn}", "Kind", "Currency", {columns})
            SELECT * FROM unnest(@hour, @key, @kind, @currency, @s0, @s1, @s2, @s3, @r0, @r1, @r2, @r3)
            ON CONFLICT ("Hour", "{keyColumn}", "Kind", "Currency") DO UPDATE SET {updates}
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("hour", rows.Select(r => r.Hour).ToArray()));
        if (keyColumn == "Channel")
            command.Parameters.Add(new NpgsqlParameter<string[]>("key", rows.Select(r => (string)r.Key).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        else
            command.Parameters.Add(new NpgsqlParameter<Guid[]>("key", rows.Select(r => (Guid)r.Key).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<short[]>("kind", rows.Select(r => r.Kind).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("currency", rows.Select(r => r.Currency).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        for (var m = 0; m < 4; m++)
        {
            var model = m;
            command.Parameters.Add(new NpgsqlParameter<double[]>($"s{m}", rows.Select(r => r.Sums.Share[model]).ToArray()));
            command.Parameters.Add(new NpgsqlParameter<decimal[]>($"r{m}", rows.Select(r => r.Sums.Revenue[model]).ToArray()));
        }
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
