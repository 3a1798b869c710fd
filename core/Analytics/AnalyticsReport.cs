using Npgsql;
using Publisher.Analytics.Attribution;
using Publisher.Analytics.Events;
using Publisher.Analytics.Time;

namespace Publisher.Core.Analytics;

/// <summary>A dashboard view: local days of a zone, and optionally one account or one campaign.</summary>
public sealed record ReportFilter(DateOnly From, DateOnly To, TimeZoneInfo Zone, Guid? AccountId = null, Guid? CampaignId = null)
{
    /// <summary>The UTC instants [start, end) of the local days.</summary>
    public (DateTimeOffset Start, DateTimeOffset End) Range => LocalDays.Range(From, To, Zone);
}

/// <summary>Credited counts of one kind of event, and revenue per currency, under one model.</summary>
public sealed class Figures
{
    public double Sessions { get; set; }
    public double Contacts { get; set; }
    public double Qualified { get; set; }
    public double Sales { get; set; }
    public Dictionary<string, decimal> Revenue { get; } = new(StringComparer.Ordinal);

    public double Count(ConversionKind kind) => kind switch
    {
        ConversionKind.Session => Sessions,
        ConversionKind.Contact => Contacts,
        ConversionKind.Qualified => Qualified,
        _ => Sales,
    };

    internal void Add(ConversionKind kind, double share, string currency, decimal revenue)
    {
        switch (kind)
        {
            case ConversionKind.Session: Sessions += share; break;
            case ConversionKind.Contact: Contacts += share; break;
            case ConversionKind.Qualified: Qualified += share; break;
            default:
                Sales += share;
                if (revenue != 0 || currency.Length > 0)
                    Revenue[currency] = Revenue.GetValueOrDefault(currency) + revenue;
                break;
        }
    }
}

/// <summary>Everything credited to one channel (or variant, or campaign), under every model, with its clicks.</summary>
public sealed class CreditedFigures
{
    public long Clicks { get; set; }
    public long Previews { get; set; }
    public long Visitors { get; set; }
    public Dictionary<AttributionModel, Figures> Models { get; } = AttributionModels.All.ToDictionary(m => m, _ => new Figures());

    public Figures this[AttributionModel model] => Models[model];

    /// <summary>The figures of several channels, variants or campaigns added up.</summary>
    public static CreditedFigures Sum(IEnumerable<CreditedFigures> parts)
    {
        var total = new CreditedFigures();
        foreach (var part in parts)
        {
            total.Clicks += part.Clicks;
            total.Previews += part.Previews;
            total.Visitors += part.Visitors;
            foreach (var model in AttributionModels.All)
            {
                var from = part[model];
                var into = total[model];
                into.Sessions += from.Sessions;
                into.Contacts += from.Contacts;
                into.Qualified += from.Qualified;
                into.Sales += from.Sales;
                foreach (var (currency, amount) in from.Revenue)
                    into.Revenue[currency] = into.Revenue.GetValueOrDefault(currency) + amount;
            }
        }
        return total;
    }

    internal void AddCredit(ConversionKind kind, string currency, double[] shares, decimal[] revenue)
    {
        foreach (var model in AttributionModels.All)
            Models[model].Add(kind, shares[(int)model], currency, revenue[(int)model]);
    }
}

/// <summary>One row of the channel table.</summary>
public sealed record ChannelRow(string Key, string Name, Guid? AccountId, string? Kind, string? Color, CreditedFigures Figures);

/// <summary>One variant or campaign in a top list.</summary>
public sealed record RankedRow(Guid? Id, string Name, string? Detail, DateTimeOffset? PublishedAt, CreditedFigures Figures);

/// <summary>The networks' latest metrics of the posts published in a range, per account.</summary>
public sealed record EngagementRow(Guid AccountId, string Account, string Kind, int Posts, int Measured, long Likes, long Reposts, long Replies, long Quotes,
    long Impressions, long NetworkClicks, long Deliveries, long Unsubscribes, long BlogViews);

/// <summary>One point of a daily series.</summary>
public sealed record DailyValue(DateOnly Day, string ChannelKey, double Value);

/// <summary>
/// What the dashboard, its CSV exports, the variant and campaign pages and the calendar read: sums over the rollups
/// (hourly, and clicks also per day and per account hour; never the raw events), so the cost grows with hours and
/// channels, not with events.
/// </summary>
public sealed class AnalyticsReport(AnalyticsDatabase database)
{
    private const string Sums = """sum("FirstTouch"), sum("LastTouch"), sum("Linear"), sum("PositionBased"), sum("FirstTouchRevenue"), sum("LastTouchRevenue"), sum("LinearRevenue"), sum("PositionBasedRevenue")""";

    /// <summary>The channel table: every channel credited in the range (accounts, other sources, direct / unknown), with clicks per account.</summary>
    public async Task<IReadOnlyList<ChannelRow>> ChannelsAsync(ReportFilter filter, CancellationToken cancellationToken = default)
    {
        var (start, end) = filter.Range;
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        var figures = new Dictionary<string, CreditedFigures>(StringComparer.Ordinal);
        CreditedFigures Of(string key) => figures.TryGetValue(key, out var f) ? f : figures[key] = new CreditedFigures();

        var credit = filter.CampaignId is null
            ? $"""
               SELECT "Channel", "Kind", "Currency", {Sums} FROM "ChannelHours"
               WHERE "Hour" >= @start AND "Hour" < @end AND (@channel::text IS NULL OR "Channel" = @channel) GROUP BY 1, 2, 3
               """
            : $"""
               SELECT 'account:' || replace(v."ChannelAccountId"::text, '-', ''), h."Kind", h."Currency", {Sums}
               FROM "VariantHours" h JOIN "Variants" v ON v."Id" = h."VariantId" JOIN "Messages" m ON m."Id" = v."MessageId"
               WHERE h."Hour" >= @start AND h."Hour" < @end AND m."CampaignId" = @campaign AND (@account::uuid IS NULL OR v."ChannelAccountId" = @account) GROUP BY 1, 2, 3
               """;
        await using (var command = new NpgsqlCommand(credit, connection))
        {
            AddFilter(command, filter, start, end);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                Of(reader.GetString(0)).AddCredit((ConversionKind)reader.GetInt16(1), reader.GetString(2), Shares(reader, 3), Revenues(reader, 7));
        }
        var clicks = filter.CampaignId is null
            ? """
              SELECT "ChannelAccountId", sum("Clicks"), sum("Previews"), sum("Visitors") FROM "AccountClickHours"
              WHERE "Hour" >= @start AND "Hour" < @end AND (@account::uuid IS NULL OR "ChannelAccountId" = @account)
              GROUP BY 1
              """
            : $"""
               SELECT c."ChannelAccountId", sum(c."Clicks"), sum(c."Previews"), sum(c."Visitors") FROM {ClicksInRange} c
               JOIN "Variants" v ON v."Id" = c."VariantId" JOIN "Messages" m ON m."Id" = v."MessageId"
               WHERE m."CampaignId" = @campaign AND (@account::uuid IS NULL OR c."ChannelAccountId" = @account)
               GROUP BY 1
               """;
        await using (var command = new NpgsqlCommand(clicks, connection))
        {
            AddFilter(command, filter, start, end);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var f = Of(Channel.Account(reader.GetGuid(0)).Key);
                f.Clicks = reader.GetInt64(1);
                f.Previews = reader.GetInt64(2);
                f.Visitors = reader.GetInt64(3);
            }
        }
        var accounts = await AccountsAsync(connection, cancellationToken);
        return figures.Select(p => Describe(p.Key, p.Value, accounts))
            .OrderBy(r => r.AccountId is null ? r.Key == Channel.Direct.Key ? 2 : 1 : 0)
            .ThenByDescending(r => r.Figures[AttributionModel.LastTouch].Sessions + r.Figures.Clicks)
            .ThenBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>Per local day and channel: clicks, or the credited count of one kind under one model.</summary>
    public async Task<IReadOnlyList<DailyValue>> DailyAsync(ReportFilter filter, ConversionKind? kind, AttributionModel model, CancellationToken cancellationToken = default)
    {
        var (start, end) = filter.Range;
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        var column = model switch
        {
            AttributionModel.FirstTouch => "\"FirstTouch\"",
            AttributionModel.LastTouch => "\"LastTouch\"",
            AttributionModel.Linear => "\"Linear\"",
            _ => "\"PositionBased\"",
        };
        // Hours are whole UTC hours, so in a whole-hour zone every local day is a whole number of them, on either side of a clock change.
        var sql = kind is null && filter.CampaignId is null
            ? """
              SELECT ("Hour" AT TIME ZONE @zone)::date, 'account:' || replace("ChannelAccountId"::text, '-', ''), sum("Clicks")::float8
              FROM "AccountClickHours"
              WHERE "Hour" >= @start AND "Hour" < @end AND (@account::uuid IS NULL OR "ChannelAccountId" = @account)
              GROUP BY 1, 2
              """
            : kind is null
            ? """
              SELECT (c."Hour" AT TIME ZONE @zone)::date, 'account:' || replace(c."ChannelAccountId"::text, '-', ''), sum(c."Clicks")::float8
              FROM "ClickHours" c LEFT JOIN "Variants" v ON v."Id" = c."VariantId" LEFT JOIN "Messages" m ON m."Id" = v."MessageId"
              WHERE c."Hour" >= @start AND c."Hour" < @end AND (@account::uuid IS NULL OR c."ChannelAccountId" = @account)
                AND (@campaign::uuid IS NULL OR m."CampaignId" = @campaign)
              GROUP BY 1, 2
              """
            : filter.CampaignId is null
                ? $"""
                   SELECT ("Hour" AT TIME ZONE @zone)::date, "Channel", sum({column}) FROM "ChannelHours"
                   WHERE "Hour" >= @start AND "Hour" < @end AND "Kind" = @kind AND (@channel::text IS NULL OR "Channel" = @channel) GROUP BY 1, 2
                   """
                : $"""
                   SELECT (h."Hour" AT TIME ZONE @zone)::date, 'account:' || replace(v."ChannelAccountId"::text, '-', ''), sum(h.{column})
                   FROM "VariantHours" h JOIN "Variants" v ON v."Id" = h."VariantId" JOIN "Messages" m ON m."Id" = v."MessageId"
                   WHERE h."Hour" >= @start AND h."Hour" < @end AND h."Kind" = @kind AND m."CampaignId" = @campaign
                     AND (@account::uuid IS NULL OR v."ChannelAccountId" = @account)
                   GROUP BY 1, 2
                   """;
        await using var command = new NpgsqlCommand(sql, connection);
        AddFilter(command, filter, start, end);
        command.Parameters.AddWithValue("zone", filter.Zone.Id);
        command.Parameters.AddWithValue("kind", (short)(kind ?? ConversionKind.Session));
        var values = new List<DailyValue>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            values.Add(new DailyValue(reader.GetFieldValue<DateOnly>(0), reader.GetString(1), reader.GetDouble(2)));
        return values;
    }

    /// <summary>Every variant clicked or credited in the range, with its figures (the caller sorts and cuts).</summary>
    public async Task<IReadOnlyList<RankedRow>> VariantsAsync(ReportFilter filter, CancellationToken cancellationToken = default)
    {
        var (start, end) = filter.Range;
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        var figures = await VariantFiguresAsync(connection, filter, start, end, null, cancellationToken);
        if (figures.Count == 0)
            return [];
        var rows = new List<RankedRow>();
        await using var command = new NpgsqlCommand("""
            SELECT v."Id", m."Title", a."Name", v."PublishedAt" FROM "Variants" v
            JOIN "Messages" m ON m."Id" = v."MessageId" JOIN "ChannelAccounts" a ON a."Id" = v."ChannelAccountId"
            WHERE v."Id" = ANY(@ids)
            """, connection);
        command.Parameters.AddWithValue("ids", figures.Keys.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new RankedRow(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3), figures[reader.GetGuid(0)]));
        return rows;
    }

    /// <summary>Every campaign (and "no campaign") with the figures of its variants in the range.</summary>
    public async Task<IReadOnlyList<RankedRow>> CampaignsAsync(ReportFilter filter, CancellationToken cancellationToken = default)
    {
        var (start, end) = filter.Range;
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        return await CampaignsOfAsync(connection, await VariantFiguresAsync(connection, filter, start, end, null, cancellationToken), cancellationToken);
    }

    /// <summary>The campaigns of variants already read with <see cref="VariantsAsync"/> (the dashboard shows both: the figures are read once).</summary>
    public async Task<IReadOnlyList<RankedRow>> CampaignsAsync(IReadOnlyList<RankedRow> variants, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        return await CampaignsOfAsync(connection, variants.Where(v => v.Id is not null).ToDictionary(v => v.Id!.Value, v => v.Figures), cancellationToken);
    }

    private static async Task<IReadOnlyList<RankedRow>> CampaignsOfAsync(NpgsqlConnection connection, Dictionary<Guid, CreditedFigures> byVariant, CancellationToken cancellationToken)
    {
        var campaignOf = new Dictionary<Guid, (Guid? Id, string Name)>();
        await using (var command = new NpgsqlCommand("""
            SELECT v."Id", c."Id", c."Name" FROM "Variants" v JOIN "Messages" m ON m."Id" = v."MessageId" LEFT JOIN "Campaigns" c ON c."Id" = m."CampaignId"
            WHERE v."Id" = ANY(@ids)
            """, connection))
        {
            command.Parameters.AddWithValue("ids", byVariant.Keys.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                campaignOf[reader.GetGuid(0)] = (reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.IsDBNull(2) ? "No campaign" : reader.GetString(2));
        }
        return byVariant.Where(p => campaignOf.ContainsKey(p.Key))
            .GroupBy(p => campaignOf[p.Key])
            .Select(g => new RankedRow(g.Key.Id, g.Key.Name, $"{g.Count()} variant{(g.Count() == 1 ? "" : "s")}", null, Combine(g.Select(p => p.Value))))
            .ToList();
    }

    /// <summary>Per account: the posts published in the range and the latest metrics the networks reported for them, newsletter and blog figures.</summary>
    public async Task<IReadOnlyList<EngagementRow>> EngagementAsync(ReportFilter filter, CancellationToken cancellationToken = default)
    {
        var (start, end) = filter.Range;
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            WITH posts AS (
                SELECT v."Id", v."ChannelAccountId", v."ExternalId" FROM "Variants" v JOIN "Messages" m ON m."Id" = v."MessageId"
                WHERE v."State" = 'Published' AND v."PublishedAt" >= @start AND v."PublishedAt" < @end
                  AND (@account::uuid IS NULL OR v."ChannelAccountId" = @account) AND (@campaign::uuid IS NULL OR m."CampaignId" = @campaign)),
            latest AS (
                SELECT DISTINCT ON (e."ExternalId") e.* FROM "EngagementSnapshots" e JOIN posts p ON p."Id" = e."VariantId"
                ORDER BY e."ExternalId", e."FetchedAt" DESC),
            metrics AS (
                SELECT "ChannelAccountId" AS account, count(DISTINCT "VariantId") AS measured, sum("Likes") AS likes, sum("Reposts") AS reposts, sum("Replies") AS replies,
                       sum("Quotes") AS quotes, sum("Impressions") AS impressions, sum("Clicks") AS clicks, sum("Deliveries") AS deliveries, sum("Unsubscribes") AS unsubscribes
                FROM latest GROUP BY 1),
            leaving AS (
                SELECT p."ChannelAccountId" AS account, count(*) AS n FROM "NewsletterUnsubscribes" u JOIN posts p ON p."Id" = u."VariantId" GROUP BY 1),
            views AS (
                SELECT p."ChannelAccountId" AS account, sum(b."Views") AS n FROM "BlogViewHours" b JOIN posts p ON p."ExternalId" = b."Slug"
                WHERE b."Hour" >= @start AND b."Hour" < @end GROUP BY 1)
            SELECT a."Id", a."Name", a."Kind", (SELECT count(*) FROM posts p WHERE p."ChannelAccountId" = a."Id"),
                   coalesce(x.measured, 0), coalesce(x.likes, 0), coalesce(x.reposts, 0), coalesce(x.replies, 0), coalesce(x.quotes, 0),
                   coalesce(x.impressions, 0), coalesce(x.clicks, 0), coalesce(x.deliveries, 0), coalesce(x.unsubscribes, 0) + coalesce(l.n, 0), coalesce(w.n, 0)
            FROM "ChannelAccounts" a LEFT JOIN metrics x ON x.account = a."Id" LEFT JOIN leaving l ON l.account = a."Id" LEFT JOIN views w ON w.account = a."Id"
            WHERE EXISTS (SELECT 1 FROM posts p WHERE p."ChannelAccountId" = a."Id")
            ORDER BY a."Name"
            """, connection);
        AddFilter(command, filter, start, end);
        var rows = new List<EngagementRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new EngagementRow(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), (int)reader.GetInt64(3), (int)reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(10), reader.GetInt64(11),
                reader.GetInt64(12), reader.GetInt64(13)));
        return rows;
    }

    /// <summary>All-time figures of one variant: its clicks and everything credited to it, and its engagement.</summary>
    public async Task<(CreditedFigures Figures, EngagementRow? Engagement)> VariantAsync(Guid variantId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        var all = new ReportFilter(DateOnly.MinValue, DateOnly.MaxValue, TimeZoneInfo.Utc);
        var figures = await VariantFiguresAsync(connection, all, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, [variantId], cancellationToken);
        await using var command = new NpgsqlCommand("""
            WITH latest AS (
                SELECT DISTINCT ON ("ExternalId") * FROM "EngagementSnapshots" WHERE "VariantId" = @id ORDER BY "ExternalId", "FetchedAt" DESC)
            SELECT v."ChannelAccountId", a."Name", a."Kind", (SELECT count(*) FROM latest), coalesce(sum(l."Likes"), 0), coalesce(sum(l."Reposts"), 0),
                   coalesce(sum(l."Replies"), 0), coalesce(sum(l."Quotes"), 0), coalesce(sum(l."Impressions"), 0), coalesce(sum(l."Clicks"), 0),
                   coalesce(sum(l."Deliveries"), 0),
                   coalesce(sum(l."Unsubscribes"), 0) + (SELECT count(*) FROM "NewsletterUnsubscribes" u WHERE u."VariantId" = @id),
                   (SELECT coalesce(sum(b."Views"), 0) FROM "BlogViewHours" b WHERE a."Kind" = 'Blog' AND b."Slug" = v."ExternalId")
            FROM "Variants" v JOIN "ChannelAccounts" a ON a."Id" = v."ChannelAccountId" LEFT JOIN latest l ON true
            WHERE v."Id" = @id
            GROUP BY v."ChannelAccountId", a."Name", a."Kind", v."ExternalId"
            """, connection);
        command.Parameters.AddWithValue("id", variantId);
        EngagementRow? engagement = null;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken))
            engagement = new EngagementRow(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), 1, (int)reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5),
                reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(10), reader.GetInt64(11), reader.GetInt64(12));
        return (figures.GetValueOrDefault(variantId) ?? new CreditedFigures(), engagement);
    }

    /// <summary>All-time figures of a campaign's variants, summed: its funnel.</summary>
    public async Task<CreditedFigures> CampaignAsync(Guid campaignId, CancellationToken cancellationToken = default)
    {
        var all = new ReportFilter(DateOnly.MinValue, DateOnly.MaxValue, TimeZoneInfo.Utc, CampaignId: campaignId);
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        var figures = await VariantFiguresAsync(connection, all, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, null, cancellationToken);
        return Combine(figures.Values);
    }

    /// <summary>Clicks per variant, for the calendar's small figures.</summary>
    public async Task<IReadOnlyDictionary<Guid, long>> ClicksAsync(IReadOnlyCollection<Guid> variantIds, CancellationToken cancellationToken = default)
    {
        if (variantIds.Count == 0)
            return new Dictionary<Guid, long>();
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""SELECT "VariantId", sum("Clicks") FROM "ClickDays" WHERE "VariantId" = ANY(@ids) GROUP BY 1""", connection);
        command.Parameters.AddWithValue("ids", variantIds.ToArray());
        var clicks = new Dictionary<Guid, long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            clicks[reader.GetGuid(0)] = reader.GetInt64(1);
        return clicks;
    }

    /// <summary>
    /// An account's clicks by local weekday and hour (of the click), and the engagement of its posts by the weekday and
    /// hour they were published: [day of week, hour].
    /// </summary>
    public async Task<(long[,] Clicks, long[,] Engagement, int Posts)> WeeklyAsync(Guid accountId, TimeZoneInfo zone, CancellationToken cancellationToken = default)
    {
        var clicks = new long[7, 24];
        var engagement = new long[7, 24];
        var posts = 0;
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("""
            SELECT extract(dow FROM "Hour" AT TIME ZONE @zone)::int, extract(hour FROM "Hour" AT TIME ZONE @zone)::int, sum("Clicks")
            FROM "AccountClickHours" WHERE "ChannelAccountId" = @account GROUP BY 1, 2
            """, connection))
        {
            command.Parameters.AddWithValue("zone", zone.Id);
            command.Parameters.AddWithValue("account", accountId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                clicks[reader.GetInt32(0), reader.GetInt32(1)] += reader.GetInt64(2);
        }
        await using (var command = new NpgsqlCommand("""
            WITH latest AS (
                SELECT DISTINCT ON (e."ExternalId") e."VariantId", e."Likes", e."Reposts", e."Replies", e."Quotes" FROM "EngagementSnapshots" e
                WHERE e."ChannelAccountId" = @account ORDER BY e."ExternalId", e."FetchedAt" DESC)
            SELECT extract(dow FROM v."PublishedAt" AT TIME ZONE @zone)::int, extract(hour FROM v."PublishedAt" AT TIME ZONE @zone)::int,
                   coalesce(sum(coalesce(l."Likes", 0) + coalesce(l."Reposts", 0) + coalesce(l."Replies", 0) + coalesce(l."Quotes", 0)), 0), count(DISTINCT v."Id")
            FROM "Variants" v LEFT JOIN latest l ON l."VariantId" = v."Id"
            WHERE v."ChannelAccountId" = @account AND v."State" = 'Published' AND v."PublishedAt" IS NOT NULL
            GROUP BY 1, 2
            """, connection))
        {
            command.Parameters.AddWithValue("zone", zone.Id);
            command.Parameters.AddWithValue("account", accountId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                engagement[reader.GetInt32(0), reader.GetInt32(1)] += reader.GetInt64(2);
                posts += (int)reader.GetInt64(3);
            }
        }
        return (clicks, engagement, posts);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static async Task<Dictionary<Guid, CreditedFigures>> VariantFiguresAsync(NpgsqlConnection connection, ReportFilter filter, DateTimeOffset start, DateTimeOffset end,
        Guid[]? only, CancellationToken cancellationToken)
    {
        var figures = new Dictionary<Guid, CreditedFigures>();
        CreditedFigures Of(Guid id) => figures.TryGetValue(id, out var f) ? f : figures[id] = new CreditedFigures();
        const string Scope = """
            JOIN "Variants" v ON v."Id" = h."VariantId" JOIN "Messages" m ON m."Id" = v."MessageId"
            WHERE h."Hour" >= @start AND h."Hour" < @end AND (@account::uuid IS NULL OR v."ChannelAccountId" = @account)
              AND (@campaign::uuid IS NULL OR m."CampaignId" = @campaign) AND (@only::uuid[] IS NULL OR h."VariantId" = ANY(@only))
            """;
        await using (var command = new NpgsqlCommand($"""
            SELECT h."VariantId", h."Kind", h."Currency", {Sums.Replace("sum(\"", "sum(h.\"")} FROM "VariantHours" h {Scope} GROUP BY 1, 2, 3
            """, connection))
        {
            AddFilter(command, filter, start, end);
            command.Parameters.Add(new NpgsqlParameter<Guid[]?>("only", only));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                Of(reader.GetGuid(0)).AddCredit((ConversionKind)reader.GetInt16(1), reader.GetString(2), Shares(reader, 3), Revenues(reader, 7));
        }
        await using (var command = new NpgsqlCommand($"""
            SELECT h."VariantId", sum(h."Clicks"), sum(h."Previews"), sum(h."Visitors") FROM {ClicksInRange} h
            JOIN "Variants" v ON v."Id" = h."VariantId" JOIN "Messages" m ON m."Id" = v."MessageId"
            WHERE (@account::uuid IS NULL OR v."ChannelAccountId" = @account) AND (@campaign::uuid IS NULL OR m."CampaignId" = @campaign)
              AND (@only::uuid[] IS NULL OR h."VariantId" = ANY(@only))
            GROUP BY 1
            """, connection))
        {
            AddFilter(command, filter, start, end);
            command.Parameters.Add(new NpgsqlParameter<Guid[]?>("only", only));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var f = Of(reader.GetGuid(0));
                f.Clicks = reader.GetInt64(1);
                f.Previews = reader.GetInt64(2);
                f.Visitors = reader.GetInt64(3);
            }
        }
        return figures;
    }

    /// <summary>
    /// The clicks of [@start, @end) per variant: the whole UTC days inside it from the day table, the hours of its partial
    /// first and last days from the hour table, so a quarter reads about 90 rows a variant instead of 2,000.
    /// </summary>
    private const string ClicksInRange = """
        (SELECT "VariantId", "ChannelAccountId", "Clicks", "Previews", "Visitors" FROM "ClickDays" WHERE "Day" >= @firstDay AND "Day" < @lastDay
         UNION ALL
         SELECT "VariantId", "ChannelAccountId", "Clicks", "Previews", "Visitors" FROM "ClickHours"
         WHERE ("Hour" >= @start AND "Hour" < @daysStart) OR ("Hour" >= @daysEnd AND "Hour" < @end))
        """;

    /// <summary>The whole UTC days inside [start, end), as instants and as dates; an empty span at the end when there is none.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) WholeDays(DateTimeOffset start, DateTimeOffset end)
    {
        var first = start.UtcDateTime.Date;
        if (first < start.UtcDateTime)
            first = first.AddDays(1);
        var last = end.UtcDateTime.Date;
        return first < last ? (new DateTimeOffset(first, TimeSpan.Zero), new DateTimeOffset(last, TimeSpan.Zero)) : (end, end);
    }

    private static CreditedFigures Combine(IEnumerable<CreditedFigures> parts) => CreditedFigures.Sum(parts);

    private static void AddFilter(NpgsqlCommand command, ReportFilter filter, DateTimeOffset start, DateTimeOffset end)
    {
        start = start == DateTimeOffset.MinValue ? DateTimeOffset.UnixEpoch : start;
        end = end == DateTimeOffset.MaxValue ? new DateTimeOffset(9999, 1, 1, 0, 0, 0, TimeSpan.Zero) : end;
        var (daysStart, daysEnd) = WholeDays(start, end);
        command.Parameters.AddWithValue("start", start);
        command.Parameters.AddWithValue("end", end);
        command.Parameters.AddWithValue("daysStart", daysStart);
        command.Parameters.AddWithValue("daysEnd", daysEnd);
        command.Parameters.AddWithValue("firstDay", DateOnly.FromDateTime(daysStart.UtcDateTime));
        command.Parameters.AddWithValue("lastDay", DateOnly.FromDateTime(daysEnd.UtcDateTime));
        command.Parameters.Add(new NpgsqlParameter<Guid?>("account", filter.AccountId));
        command.Parameters.Add(new NpgsqlParameter<Guid?>("campaign", filter.CampaignId));
        command.Parameters.Add(new NpgsqlParameter<string?>("channel", filter.AccountId is { } a ? Channel.Account(a).Key : null));
    }

    private static double[] Shares(NpgsqlDataReader reader, int first) =>
        [reader.GetDouble(first), reader.GetDouble(first + 1), reader.GetDouble(first + 2), reader.GetDouble(first + 3)];

    private static decimal[] Revenues(NpgsqlDataReader reader, int first) =>
        [reader.GetDecimal(first), reader.GetDecimal(first + 1), reader.GetDecimal(first + 2), reader.GetDecimal(first + 3)];

    private sealed record AccountInfo(string Name, string Kind, string? Color);

    private static async Task<Dictionary<Guid, AccountInfo>> AccountsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var accounts = new Dictionary<Guid, AccountInfo>();
        await using var command = new NpgsqlCommand("""SELECT "Id", "Name", "Kind", "Color" FROM "ChannelAccounts" """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            accounts[reader.GetGuid(0)] = new AccountInfo(reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3));
        return accounts;
    }

    private static ChannelRow Describe(string key, CreditedFigures figures, Dictionary<Guid, AccountInfo> accounts)
    {
        var channel = Channel.Parse(key);
        if (channel.AccountId is { } id)
            return accounts.TryGetValue(id, out var account)
                ? new ChannelRow(key, account.Name, id, account.Kind, account.Color, figures)
                : new ChannelRow(key, "A deleted account", id, null, null, figures);
        return channel.OtherSource is { } source
            ? new ChannelRow(key, $"Other: {source}", null, null, null, figures)
            : new ChannelRow(key, "Direct / unknown", null, null, null, figures);
    }
}
