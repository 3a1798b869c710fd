using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Publisher.Analytics.Links;
using Publisher.Core.Analytics;
using Publisher.Web.Analytics;

namespace Publisher.Web.Tests.Analytics;

/// <summary>The web app on a PostgreSQL server of its own, which a test may stop and start again; its queue is written every 50 ms in small batches.</summary>
public class OutageWebApp : PublisherWebApp
{
    public Task StopDatabaseAsync() => Postgres.StopAsync();

    public Task StartDatabaseAgainAsync() => Postgres.StartAgainAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Analytics:FlushInterval", "00:00:00.050");
        builder.UseSetting("Analytics:FlushBatchSize", "40");
    }
}

/// <summary>The same, holding no more than the smallest queue the settings allow.</summary>
public sealed class SmallQueueOutageWebApp : OutageWebApp
{
    public const int QueueCapacity = 1000;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Analytics:QueueCapacity", QueueCapacity.ToString());
    }
}

/// <summary>
/// The redirect while PostgreSQL goes away and comes back: every request is still sent to the destination, and every
/// click made meanwhile reaches the database once it is back, exactly once.
/// </summary>
public class RedirectDuringOutageTests(OutageWebApp app) : IClassFixture<OutageWebApp>
{
    internal const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    [Fact]
    public async Task Clicks_made_while_PostgreSQL_stops_and_starts_again_are_all_redirected_and_written_once_it_is_back()
    {
        var variant = await AnalyticsData.VariantAsync(app.Services);
        var code = variant.Links[0].Code;
        var queue = app.Services.GetRequiredService<EventQueue<Click>>();
        var lostBefore = queue.Lost;
        var clicks = new ConcurrentBag<Guid>();
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();

        // Two readers click all through the outage, each request checked as it comes back.
        async Task ClickUntilStoppedAsync()
        {
            var client = app.NewClient();
            while (!stop.IsCancellationRequested)
            {
                var request = new HttpRequestMessage(HttpMethod.Get, $"/l/{code}");
                request.Headers.TryAddWithoutValidation("User-Agent", Firefox);
                using var response = await client.SendAsync(request);
                var location = response.Headers.Location?.ToString() ?? "";
                var pcid = response.Headers.Location is { } uri ? System.Web.HttpUtility.ParseQueryString(uri.Query)[ClickIds.Parameter] : null;
                if (response.StatusCode != HttpStatusCode.Found || !location.StartsWith("https://northwind.coffee/autumn?utm_source=x", StringComparison.Ordinal)
                    || !ClickIds.TryParse(pcid, out var id))
                    failures.Enqueue($"{(int)response.StatusCode} {location}");
                else
                    clicks.Add(id);
                await Task.Delay(2, CancellationToken.None); // pacing, a few hundred clicks a second: the machine is shared
            }
        }

        async Task WhileClicksReachAsync(int count, string when) =>
            await AnalyticsData.EventuallyAsync(() => Task.FromResult(clicks.Count), n => n >= count || !failures.IsEmpty, what: $"{count} clicks {when}");

        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(ClickUntilStoppedAsync)).ToArray();
        await WhileClicksReachAsync(100, "before the outage");
        await app.StopDatabaseAsync();
        var beforeOutage = clicks.Count;
        await WhileClicksReachAsync(beforeOutage + 300, "while the database is stopped");
        var duringOutage = clicks.Count;
        await app.StartDatabaseAgainAsync();
        await WhileClicksReachAsync(duringOutage + 100, "after it started again");
        stop.Cancel();
        await Task.WhenAll(readers);

        Assert.Empty(failures);
        var sent = clicks.ToHashSet();
        Assert.Equal(clicks.Count, sent.Count); // every redirect had a click id of its own
        var written = await AnalyticsData.EventuallyAsync(() => ClickIdsAsync(app, variant.VariantId), ids => ids.Count >= sent.Count,
            within: TimeSpan.FromSeconds(120), what: $"the {sent.Count} clicks in the database", describe: ids =>
                $"{ids.Count} in the database; the queue accepted {queue.Accepted}, wrote {queue.Written}, lost {queue.Lost}, holds {queue.Count}");
        Assert.Equal(written.Count, written.Distinct().Count()); // none written twice
        Assert.Equal(sent.Order(), written.Order());
        Assert.Equal(lostBefore, queue.Lost);
    }

    /// <summary>The ids of the variant's clicks in the database; none (not an error) while it is still coming back.</summary>
    internal static async Task<List<Guid>> ClickIdsAsync(PublisherWebApp app, Guid variantId)
    {
        try
        {
            await using var connection = new NpgsqlConnection(app.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT \"Id\" FROM \"Clicks\" WHERE \"VariantId\" = @variant", connection);
            command.Parameters.AddWithValue("variant", variantId);
            var ids = new List<Guid>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                ids.Add(reader.GetGuid(0));
            return ids;
        }
        catch (NpgsqlException)
        {
            return [];
        }
    }
}

/// <summary>An outage longer than memory can bridge: the redirect still answers, and what could not be kept is counted exactly.</summary>
public class RedirectDuringLongOutageTests(SmallQueueOutageWebApp app) : IClassFixture<SmallQueueOutageWebApp>
{
    [Fact]
    public async Task When_more_clicks_come_during_an_outage_than_memory_holds_every_redirect_still_answers_and_the_dropped_clicks_are_counted_exactly()
    {
        var variant = await AnalyticsData.VariantAsync(app.Services);
        var code = variant.Links[0].Code;
        var queue = app.Services.GetRequiredService<EventQueue<Click>>();
        var client = app.NewClient();
        async Task<Guid> ClickAsync()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/l/{code}");
            request.Headers.TryAddWithoutValidation("User-Agent", RedirectDuringOutageTests.Firefox);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            Assert.StartsWith("https://northwind.coffee/autumn?", response.Headers.Location!.ToString());
            Assert.True(ClickIds.TryParse(System.Web.HttpUtility.ParseQueryString(response.Headers.Location.Query)[ClickIds.Parameter], out var id));
            return id;
        }

        // The link is known (and the month's partition made) before the outage.
        var first = await ClickAsync();
        await AnalyticsData.EventuallyAsync(() => RedirectDuringOutageTests.ClickIdsAsync(app, variant.VariantId), ids => ids.Contains(first), what: "the first click");
        var (acceptedBefore, lostBefore) = (queue.Accepted, queue.Lost);

        await app.StopDatabaseAsync();
        const int sentDuringOutage = SmallQueueOutageWebApp.QueueCapacity + 400;
        for (var i = 0; i < sentDuringOutage; i++)
            await ClickAsync();
        var accepted = queue.Accepted - acceptedBefore;
        var lost = queue.Lost - lostBefore;
        await app.StartDatabaseAgainAsync();

        // Memory held at least its capacity; the rest was dropped, and each of those is counted: accepted + lost = sent.
        Assert.InRange(accepted, SmallQueueOutageWebApp.QueueCapacity, sentDuringOutage - 1);
        Assert.Equal(sentDuringOutage, accepted + lost);
        var written = await AnalyticsData.EventuallyAsync(() => RedirectDuringOutageTests.ClickIdsAsync(app, variant.VariantId), ids => ids.Count >= 1 + accepted,
            within: TimeSpan.FromSeconds(120), what: $"the {accepted} clicks held in memory, in the database", describe: ids =>
                $"{ids.Count} in the database; the queue accepted {queue.Accepted}, wrote {queue.Written}, lost {queue.Lost}, holds {queue.Count}");
        Assert.Equal(1 + accepted, written.Count);
        Assert.Equal(written.Count, written.Distinct().Count());
    }
}
