using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Publisher.Analytics.Events;
using Publisher.Core.Analytics;
using Publisher.Core.Publishing;
using Publisher.Testing;

namespace Publisher.Core.Tests.Analytics;

/// <summary>The rollups on a real database: people joined by click id, visitor id and e-mail hash, credited by the models, counted once.</summary>
[Collection(PostgresCollection.Name)]
public class AnalyticsRollupTests(PostgresServer postgres) : IAsyncLifetime
{
    private static readonly Guid X = Guid.NewGuid(), Email = Guid.NewGuid(), XVariant = Guid.NewGuid(), EmailVariant = Guid.NewGuid();
    private static readonly string EmailHash = new('e', 64);
    private readonly DateTimeOffset _day0 = DateTimeOffset.UtcNow.AddDays(-10);
    private string _db = "";
    private AnalyticsDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _db = await postgres.CreateMigratedDatabaseAsync("rollups");
        _database = new AnalyticsDatabase(_db);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private AnalyticsRollups Rollups() => new(_database, Options.Create(new AnalyticsOptions { SettleDelay = TimeSpan.Zero, RollupBatchSize = 3 }),
        Options.Create(new PublishingOptions { PublicUrl = "https://publisher.northwind.coffee" }), TimeProvider.System);

    private static Click ClickOn(Guid account, Guid variant, DateTimeOffset at) => new()
    {
        Id = Guid.CreateVersion7(), At = at, Code = "AAAAAAAAAA", VariantId = variant, ChannelAccountId = account, Device = 1, VisitorHash = 42,
    };

    private static PageView Landing(DateTimeOffset at, string? visitor, Guid? click = null, string? utm = null, string host = "shop.northwind.coffee", string path = "/",
        bool starts = true) => new()
    {
        Id = Guid.CreateVersion7(), At = at, SessionId = Guid.NewGuid(), VisitorId = visitor, StartsSession = starts, Host = host, Path = path, ClickId = click, UtmSource = utm,
    };

    private static Conversion Converted(ConversionKind kind, DateTimeOffset at, string? visitor = null, string? email = null, decimal value = 0, string? currency = null) => new()
    {
        EventId = Guid.NewGuid().ToString("N"), Kind = (short)kind, At = at, Value = value, Currency = currency, VisitorId = visitor, EmailSha256 = email, Source = "api",
    };

    private async Task<Dictionary<(string Channel, ConversionKind Kind), ChannelHour>> TotalsAsync()
    {
        await using var db = PostgresServer.NewContext(_db);
        var rows = await db.ChannelHours.AsNoTracking().ToListAsync();
        return rows.GroupBy(r => (r.Channel, (ConversionKind)r.Kind)).ToDictionary(g => g.Key, g => new ChannelHour
        {
            Channel = g.Key.Channel, Kind = (short)g.Key.Item2,
            FirstTouch = g.Sum(r => r.FirstTouch), LastTouch = g.Sum(r => r.LastTouch), Linear = g.Sum(r => r.Linear), PositionBased = g.Sum(r => r.PositionBased),
            FirstTouchRevenue = g.Sum(r => r.FirstTouchRevenue), LastTouchRevenue = g.Sum(r => r.LastTouchRevenue),
        });
    }

    [Fact]
    public async Task X_then_the_newsletter_then_a_sale_reported_by_email_hash_only_is_credited_to_each_by_its_model()
    {
        var ann = "ann-visitor";
        var xClick = ClickOn(X, XVariant, _day0);
        var emailClick = ClickOn(Email, EmailVariant, _day0.AddDays(2));
        await using (var db = PostgresServer.NewContext(_db))
        {
            db.Clicks.AddRange(xClick, emailClick, ClickOn(X, XVariant, _day0));
            await db.SaveChangesAsync();
            // Received as they would be, one after another (a single save writes a table's rows in key order, not this
            // order): the visits in their order, then the conversions they lead to.
            foreach (var view in new[] {
                Landing(_day0.AddMinutes(1), ann, xClick.Id),
                Landing(_day0.AddDays(2).AddMinutes(1), ann, emailClick.Id),
                Landing(_day0.AddDays(4), "bob-visitor", utm: "partner-letter"),
                Landing(_day0.AddDays(4), null, host: "publisher.northwind.coffee", path: "/blog/autumn-blend", starts: false) })
            {
                db.PageViews.Add(view);
                await db.SaveChangesAsync();
            }
            foreach (var conversion in new[] {
                Converted(ConversionKind.Contact, _day0.AddDays(2).AddMinutes(5), visitor: ann, email: EmailHash),
                Converted(ConversionKind.Sale, _day0.AddDays(3), email: EmailHash, value: 80m, currency: "EUR"),
                Converted(ConversionKind.Contact, _day0.AddDays(4).AddMinutes(2), visitor: "bob-visitor"),
                Converted(ConversionKind.Sale, _day0.AddDays(5), value: 15m, currency: "EUR") })
            {
                db.Conversions.Add(conversion);
                await db.SaveChangesAsync();
            }
        }

        var progress = await Rollups().CatchUpAsync(TimeSpan.FromMinutes(2));
        Assert.True(progress.CaughtUp);
        Assert.Equal((3, 4, 4), (progress.Clicks, progress.PageViews, progress.Conversions));

        var totals = await TotalsAsync();
        string x = "account:" + X.ToString("N"), email = "account:" + Email.ToString("N");
        // Sessions: Ann's first landing (X); her second (first touch X, last the newsletter); Bob's UTM visit.
        Assert.Equal(2.0, totals[(x, ConversionKind.Session)].FirstTouch);
        Assert.Equal(1.0, totals[(x, ConversionKind.Session)].LastTouch);
        Assert.Equal(1.0, totals[(email, ConversionKind.Session)].LastTouch);
        Assert.Equal(0.0, totals[(email, ConversionKind.Session)].FirstTouch);
        Assert.Equal(1.0, totals[("other:partner-letter", ConversionKind.Session)].LastTouch);
        // Ann's contact and the sale known only by her e-mail hash: X first, the newsletter last.
        Assert.Equal(1.0, totals[(x, ConversionKind.Contact)].FirstTouch);
        Assert.Equal(1.0, totals[(email, ConversionKind.Contact)].LastTouch);
        Assert.Equal(80m, totals[(x, ConversionKind.Sale)].FirstTouchRevenue);
        Assert.Equal(0m, totals[(x, ConversionKind.Sale)].LastTouchRevenue);
        Assert.Equal(80m, totals[(email, ConversionKind.Sale)].LastTouchRevenue);
        Assert.Equal(0.5, totals[(email, ConversionKind.Sale)].Linear);
        Assert.Equal(1.0, totals[("other:partner-letter", ConversionKind.Contact)].FirstTouch);
        // A sale nobody can be found for is direct / unknown, kept.
        Assert.Equal(15m, totals[("direct", ConversionKind.Sale)].FirstTouchRevenue);
        Assert.Equal(15m, totals[("direct", ConversionKind.Sale)].LastTouchRevenue);

        await using (var db = PostgresServer.NewContext(_db))
        {
            var variantSale = await db.VariantHours.Where(v => v.Kind == (short)ConversionKind.Sale).ToListAsync();
            Assert.Equal(80m, variantSale.Where(v => v.VariantId == XVariant).Sum(v => v.FirstTouchRevenue));
            Assert.Equal(80m, variantSale.Where(v => v.VariantId == EmailVariant).Sum(v => v.LastTouchRevenue));
            var clicks = await db.ClickHours.ToListAsync();
            Assert.Equal(2, clicks.Where(c => c.VariantId == XVariant).Sum(c => c.Clicks));
            Assert.Equal(1, clicks.Where(c => c.VariantId == XVariant).Sum(c => c.Visitors)); // one visitor hash, one day
            Assert.Equal(1, await db.BlogViewHours.Where(b => b.Slug == "autumn-blend").SumAsync(b => b.Views));
            // Ann's visitor id, both click ids and her e-mail hash are one person.
            var ann_ = await db.AnalyticsIdentities.Where(i => i.Key == "v:" + ann).Select(i => i.PersonId).SingleAsync();
            Assert.Equal(4, await db.AnalyticsIdentities.CountAsync(i => i.PersonId == ann_));
        }

        // Nothing is counted twice, and what arrives later is added.
        var again = await Rollups().CatchUpAsync(TimeSpan.FromMinutes(1));
        Assert.Equal((0, 0, 0), (again.Clicks, again.PageViews, again.Conversions));
        await using (var db = PostgresServer.NewContext(_db))
        {
            db.Conversions.Add(Converted(ConversionKind.Sale, _day0.AddDays(6), visitor: ann, value: 20m, currency: "EUR"));
            await db.SaveChangesAsync();
        }
        Assert.Equal(1, (await Rollups().CatchUpAsync(TimeSpan.FromMinutes(1))).Conversions);
        totals = await TotalsAsync();
        Assert.Equal(100m, totals[(x, ConversionKind.Sale)].FirstTouchRevenue);
        Assert.Equal(100m, totals[(email, ConversionKind.Sale)].LastTouchRevenue);
    }

    [Fact]
    public async Task The_purge_drops_what_is_older_than_the_retention_period_and_the_salts_of_past_days()
    {
        var now = DateTimeOffset.UtcNow;
        var old = ClickOn(X, XVariant, now.AddDays(-75));
        var recent = ClickOn(X, XVariant, now.AddDays(-5));
        await using (var db = PostgresServer.NewContext(_db))
        {
            db.Clicks.AddRange(old, recent);
            db.Conversions.AddRange(Converted(ConversionKind.Sale, now.AddDays(-75), value: 1, currency: "EUR"), Converted(ConversionKind.Sale, now.AddDays(-5), value: 2, currency: "EUR"));
            db.VisitorSalts.AddRange(new VisitorSalt { Day = DateOnly.FromDateTime(now.UtcDateTime.AddDays(-1)), Salt = [1] },
                new VisitorSalt { Day = DateOnly.FromDateTime(now.UtcDateTime), Salt = [2] });
            await db.SaveChangesAsync();
        }
        await Rollups().CatchUpAsync(TimeSpan.FromMinutes(1));

        var maintenance = new AnalyticsMaintenance(_database, Options.Create(new AnalyticsOptions { RetentionMonths = 2 }), TimeProvider.System);
        Assert.True(await maintenance.EnsurePartitionsAsync() >= 0);
        var purged = await maintenance.PurgeAsync();

        await using var check = PostgresServer.NewContext(_db);
        Assert.Equal([recent.Id], await check.Clicks.Select(c => c.Id).ToListAsync());
        Assert.Equal([2m], await check.Conversions.Select(c => c.Value).ToListAsync());
        Assert.True(await check.ChannelHours.AllAsync(h => h.Hour >= purged.Cutoff.AddHours(-1)));
        // The click rollups keep the recent click only, in each of their tables.
        Assert.Equal(1, await check.ClickHours.SumAsync(h => h.Clicks));
        Assert.Equal(1, await check.ClickDays.SumAsync(d => d.Clicks));
        Assert.Equal(1, await check.AccountClickHours.SumAsync(h => h.Clicks));
        Assert.Equal([DateOnly.FromDateTime(now.UtcDateTime)], await check.VisitorSalts.Select(s => s.Day).ToListAsync());
        Assert.True(purged.Rows["Clicks and PageViews"] >= 1);
        // A month entirely before the cutoff is gone as a partition, not just emptied.
        var oldMonth = "Clicks_" + now.AddMonths(-4).ToString("yyyy_MM");
        Assert.Null(await PostgresServer.ScalarAsync<string>(_db, $"SELECT to_regclass('\"{oldMonth}\"')::text"));
    }

    [Fact]
    public async Task A_full_batch_of_earlier_visits_holds_back_a_conversion_until_the_visit_that_links_it_to_its_click_is_counted()
    {
        // Batches of 3: three strangers' visits fill the first step's page views; Ann's landing through X's link is the
        // fourth, and her contact (known only by her visitor id) arrives after it. Were the contact credited in the first
        // step, nobody would yet know that visitor id belongs to the click, and it would stay "direct" for good.
        var ann = "ann-" + Guid.NewGuid().ToString("N")[..8];
        var xClick = ClickOn(X, XVariant, _day0);
        await using (var db = PostgresServer.NewContext(_db))
        {
            db.Clicks.Add(xClick);
            await db.SaveChangesAsync();
            foreach (var view in new[] {
                Landing(_day0.AddMinutes(1), "stranger-1"), Landing(_day0.AddMinutes(2), "stranger-2"), Landing(_day0.AddMinutes(3), "stranger-3"),
                Landing(_day0.AddMinutes(5), ann, xClick.Id) })
            {
                db.PageViews.Add(view);
                await db.SaveChangesAsync();
            }
            db.Conversions.Add(Converted(ConversionKind.Contact, _day0.AddMinutes(10), visitor: ann));
            await db.SaveChangesAsync();
        }

        var first = await Rollups().StepAsync();
        Assert.Equal((1, 3, 0), (first!.Clicks, first.PageViews, first.Conversions)); // the contact waits for the visits before it
        var progress = await Rollups().CatchUpAsync(TimeSpan.FromMinutes(1));
        Assert.True(progress.CaughtUp);
        Assert.Equal((0, 1, 1), (progress.Clicks, progress.PageViews, progress.Conversions));

        var totals = await TotalsAsync();
        var x = "account:" + X.ToString("N");
        Assert.Equal(1.0, totals[(x, ConversionKind.Contact)].FirstTouch);
        Assert.Equal(1.0, totals[(x, ConversionKind.Contact)].LastTouch);
        Assert.False(totals.ContainsKey(("direct", ConversionKind.Contact)));
    }

    [Fact]
    public async Task A_lead_and_a_sale_reported_by_email_hash_before_the_sites_contact_is_written_are_still_credited_to_the_click()
    {
        // The shop reports Ann's qualified lead and sale by e-mail hash a moment before the web app writes her contact
        // (held in its queue), so they arrive first. In batches of 3, the first step counts a stranger's sale and both
        // of Ann's; her contact, the only event that ties her e-mail to her visitor id (and so to X's click), is not
        // counted yet. Credit is never revised, so it must be found now, among the events not counted yet.
        var ann = "ann-" + Guid.NewGuid().ToString("N")[..8];
        var email = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var xClick = ClickOn(X, XVariant, _day0);
        await using (var db = PostgresServer.NewContext(_db))
        {
            db.Clicks.Add(xClick);
            db.PageViews.Add(Landing(_day0.AddMinutes(1), ann, xClick.Id));
            await db.SaveChangesAsync();
            foreach (var conversion in new[] {
                Converted(ConversionKind.Sale, _day0.AddMinutes(2), value: 5m, currency: "EUR"),
                Converted(ConversionKind.Qualified, _day0.AddMinutes(6), email: email),
                Converted(ConversionKind.Sale, _day0.AddMinutes(6), email: email, value: 42.5m, currency: "EUR"),
                Converted(ConversionKind.Contact, _day0.AddMinutes(5), visitor: ann, email: email) })
            {
                db.Conversions.Add(conversion);
                await db.SaveChangesAsync();
            }
        }

        var first = await Rollups().StepAsync();
        Assert.Equal((1, 1, 3), (first!.Clicks, first.PageViews, first.Conversions)); // the contact is left for the next step
        Assert.True((await Rollups().CatchUpAsync(TimeSpan.FromMinutes(1))).CaughtUp);

        var totals = await TotalsAsync();
        var x = "account:" + X.ToString("N");
        foreach (var kind in new[] { ConversionKind.Contact, ConversionKind.Qualified, ConversionKind.Sale })
        {
            Assert.Equal(1.0, totals[(x, kind)].FirstTouch);
            Assert.Equal(1.0, totals[(x, kind)].LastTouch);
        }
        Assert.Equal(42.5m, totals[(x, ConversionKind.Sale)].FirstTouchRevenue);
        Assert.Equal(5m, totals[("direct", ConversionKind.Sale)].LastTouchRevenue); // the stranger's sale, and only it
        Assert.False(totals.ContainsKey(("direct", ConversionKind.Qualified)));
        await using var check = PostgresServer.NewContext(_db);
        var persons = await check.AnalyticsIdentities.Where(i => i.Key == "c:" + xClick.Id.ToString("N") || i.Key == "v:" + ann || i.Key == "e:" + email)
            .Select(i => i.PersonId).ToListAsync();
        Assert.Equal(3, persons.Count);
        Assert.Single(persons.Distinct()); // one person, not split by the early link
    }

    [Fact]
    public async Task Clicks_and_visits_that_arrive_months_after_they_happened_are_counted_in_their_own_hour()
    {
        var now = DateTimeOffset.UtcNow;
        await using (var db = PostgresServer.NewContext(_db))
        {
            db.Clicks.Add(ClickOn(X, XVariant, now.AddHours(-1)));
            await db.SaveChangesAsync();
        }
        Assert.Equal(1, (await Rollups().CatchUpAsync(TimeSpan.FromMinutes(1))).Clicks);

        // A backlog replayed long after: 100 days behind the watermark, beyond the 62 days the rollups once skipped.
        var late = now.AddDays(-100);
        await using (var db = PostgresServer.NewContext(_db))
        {
            db.Clicks.Add(ClickOn(X, XVariant, late));
            db.PageViews.Add(Landing(late, null, host: "publisher.northwind.coffee", path: "/blog/late-post", starts: false));
            await db.SaveChangesAsync();
        }
        var progress = await Rollups().CatchUpAsync(TimeSpan.FromMinutes(1));
        Assert.Equal((1, 1), (progress.Clicks, progress.PageViews));

        await using var check = PostgresServer.NewContext(_db);
        var hour = new DateTimeOffset(late.UtcDateTime.Year, late.UtcDateTime.Month, late.UtcDateTime.Day, late.UtcDateTime.Hour, 0, 0, TimeSpan.Zero);
        Assert.Equal(1, await check.ClickHours.Where(h => h.Hour == hour && h.VariantId == XVariant).SumAsync(h => h.Clicks));
        Assert.Equal(1, await check.BlogViewHours.Where(b => b.Hour == hour && b.Slug == "late-post").SumAsync(b => b.Views));
    }

    [Theory]
    [InlineData("Clicks")]
    [InlineData("PageViews")]
    [InlineData("Conversions")]
    public async Task A_rollup_step_reads_the_next_rows_by_an_ordered_index_scan_not_by_scanning_the_events(string table)
    {
        // Two months of events (a few partitions for clicks and page views) up to a moment in the middle of last month,
        // rolled up to two hours before it: the next step must read those two hours' rows from the index, not read two
        // months and sort them. The moment is fixed in last month, not now: in the first hours of a month this month's
        // partition holds a page of rows, which the planner rightly reads whole, and the test would depend on the clock.
        var now = DateTimeOffset.UtcNow;
        var moment = new DateTimeOffset(now.Year, now.Month, 1, 12, 0, 0, TimeSpan.Zero).AddDays(-15);
        var seed = table switch
        {
            "Clicks" => """
                INSERT INTO "Clicks" ("Id", "At", "Code", "VariantId", "ChannelAccountId", "Device", "IsPreview", "ReceivedAt")
                SELECT gen_random_uuid(), @moment - i * interval '3 minutes', 'AAAAAAAAAA', gen_random_uuid(), gen_random_uuid(), 1, false, @moment - i * interval '3 minutes'
                FROM generate_series(1, 20000) i
                """,
            "PageViews" => """
                INSERT INTO "PageViews" ("Id", "At", "SessionId", "StartsSession", "Host", "Path", "Device", "ReceivedAt")
                SELECT gen_random_uuid(), @moment - i * interval '3 minutes', gen_random_uuid(), true, 'shop.northwind.coffee', '/', 1, @moment - i * interval '3 minutes'
                FROM generate_series(1, 20000) i
                """,
            _ => """
                INSERT INTO "Conversions" ("EventId", "Kind", "At", "Value", "Source", "ReceivedAt")
                SELECT 'seed-' || i, 1, @moment - i * interval '3 minutes', 0, 'api', @moment - i * interval '3 minutes'
                FROM generate_series(1, 20000) i
                """,
        };
        await using var connection = new Npgsql.NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using (var command = new Npgsql.NpgsqlCommand(seed, connection))
        {
            command.Parameters.AddWithValue("moment", moment);
            await command.ExecuteNonQueryAsync();
        }
        await using (var analyze = new Npgsql.NpgsqlCommand($"ANALYZE \"{table}\"", connection))
            await analyze.ExecuteNonQueryAsync();

        await using var explain = new Npgsql.NpgsqlCommand("EXPLAIN " + AnalyticsRollups.NextRowsSql(table, "*"), connection);
        explain.Parameters.AddWithValue("fromAt", moment.AddHours(-2));
        explain.Parameters.AddWithValue("fromId", table == "Conversions" ? 0L : Guid.Empty);
        explain.Parameters.AddWithValue("until", moment);
        explain.Parameters.AddWithValue("batch", 5000);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                plan.Add(reader.GetString(0));
        var text = string.Join("\n", plan);
        // Every table or partition that holds rows worth an index is read through the (ReceivedAt, Id) index; a
        // sequential scan is only ever of an empty partition (this month's and the next ones', made ahead).
        var indexed = System.Text.RegularExpressions.Regex.Matches(text, "Index (?:Only )?Scan using \"\\w*ReceivedAt_Id\\w*\" on \"(\\w+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.True(indexed.Count > 0, "The step's plan:\n" + text);
        foreach (var scanned in System.Text.RegularExpressions.Regex.Matches(text, "Seq Scan on \"(\\w+)\"").Select(m => m.Groups[1].Value))
        {
            await using var count = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM \"{scanned}\"", connection);
            Assert.True((long)(await count.ExecuteScalarAsync())! < 100, $"{scanned} holds rows and is scanned whole:\n{text}");
        }
    }
}
