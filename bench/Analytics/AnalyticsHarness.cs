using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Publisher.Core.Analytics;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Testing;
using Publisher.Web.Analytics;

namespace Publisher.Bench.Analytics;

/// <summary>
/// The analytics figures the README quotes, each against the real web app on a throwaway PostgreSQL cluster seeded with
/// the demo brand:
/// <list type="bullet">
/// <item><c>redirect</c>: <c>wrk</c> (Debian's package) against <c>GET /l/{code}</c> of the app, then against a bare
/// ASP.NET endpoint that only redirects, in the same run; then checks that every click the app answered was written.</item>
/// <item><c>ingest</c>: batches of 1,000 events through <c>POST /api/events</c>, several at once; checks they were all stored.</item>
/// <item><c>dashboard</c>: 10 million events of one quarter made with SQL (1 million visitors), rolled up by the app's own
/// rollup code, then the <c>/Analytics</c> page for that quarter asked again and again.</item>
/// </list>
/// Run: <c>dotnet run -c Release --project bench -- analytics redirect|ingest|dashboard [options]</c>.
/// </summary>
public static partial class AnalyticsHarness
{
    private const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    public static async Task<int> RunAsync(string[] args)
    {
        var what = args.FirstOrDefault();
        if (what is not ("redirect" or "ingest" or "dashboard"))
        {
            Console.Error.WriteLine("Say which: analytics redirect [seconds] | analytics ingest [batches] | analytics dashboard [millions of events]");
            return 2;
        }
        BenchWebApp.UseRepositoryContentRoot();
        await using var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        var connectionString = await postgres.CreateMigratedDatabaseAsync("bench");
        var port = FreePort();
        await using var app = new KestrelBenchApp(connectionString);
        app.UseKestrel(port);
        app.StartServer();
        await using (var scope = app.Services.CreateAsyncScope())
            await ActivatorUtilities.CreateInstance<DemoSeeder>(scope.ServiceProvider).SeedAsync();
        var baseUrl = $"http://127.0.0.1:{port}";
        var number = args.Length > 1 && double.TryParse(args[1], CultureInfo.InvariantCulture, out var n) ? n : (double?)null;
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, load average before {BenchWebApp.LoadAverage()}");
        var result = what switch
        {
            "redirect" => await RedirectAsync(app, baseUrl, connectionString, (int)(number ?? 20)),
            "ingest" => await IngestAsync(app, baseUrl, connectionString, (int)(number ?? 100)),
            _ => await DashboardAsync(app, baseUrl, connectionString, number ?? 10),
        };
        Console.WriteLine($"Load average after: {BenchWebApp.LoadAverage()}");
        return result;
    }

    /// <summary>The bench web app, served by Kestrel on a port so a load generator outside the process can reach it.</summary>
    private sealed class KestrelBenchApp(string connectionString) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Database:ConnectionString", connectionString);
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        }
    }

    // ---------------------------------------------------------------- redirect

    private static async Task<int> RedirectAsync(KestrelBenchApp app, string baseUrl, string connectionString, int seconds)
    {
        var code = await PostgresServer.ScalarAsync<string>(connectionString, """SELECT "Code" FROM "TrackedLinks" ORDER BY "Code" LIMIT 1""")
            ?? throw new InvalidOperationException("The demo brand has no tracked link.");
        var destination = await PostgresServer.ScalarAsync<string>(connectionString, $"""SELECT "Destination" FROM "TrackedLinks" WHERE "Code" = '{code}'""");
        var clicks = app.Services.GetRequiredService<EventQueue<Click>>();
        using (var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }))
        {
            client.DefaultRequestHeaders.UserAgent.ParseAdd(Firefox);
            for (var i = 0; i < 500; i++) // warm-up: JIT, the link directory, the first batches written
                (await client.GetAsync($"{baseUrl}/l/{code}")).EnsureSuccessOrRedirect();
        }
        await DrainedAsync(clicks);
        var rowsBefore = await ClickRowsAsync(connectionString, code);
        var (acceptedBefore, lostBefore) = (clicks.Accepted, clicks.Lost);

        var appRun = Wrk($"{baseUrl}/l/{code}", seconds);
        await DrainedAsync(clicks);
        var written = await ClickRowsAsync(connectionString, code) - rowsBefore;
        var accepted = clicks.Accepted - acceptedBefore;

        // The same load against an endpoint that only answers the same redirect: what Kestrel and wrk cost on this machine.
        var barePort = FreePort();
        var bare = WebApplication.CreateSlimBuilder();
        bare.Logging.ClearProviders();
        bare.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, barePort));
        await using var bareApp = bare.Build();
        bareApp.MapGet("/l/{code}", (string code, HttpContext http) =>
        {
            http.Response.StatusCode = StatusCodes.Status302Found;
            http.Response.Headers.Location = destination + "&pcid=" + Guid.CreateVersion7().ToString("N");
            http.Response.Headers.CacheControl = "no-store";
        });
        await bareApp.StartAsync();
        var bareRun = Wrk($"http://127.0.0.1:{barePort}/l/{code}", seconds);
        await bareApp.StopAsync();

        Console.WriteLine($"GET /l/{{code}}, wrk -t2 -c64 for {seconds} s each, the app with PostgreSQL, then a bare redirect endpoint:");
        Console.WriteLine($"  app : {appRun}");
        Console.WriteLine($"  bare: {bareRun}");
        Console.WriteLine($"  app/bare throughput: {appRun.RequestsPerSecond / bareRun.RequestsPerSecond:0.00}");
        Console.WriteLine($"  clicks: wrk counted {appRun.Requests:N0} answers, the app took {accepted:N0} into its queue, {written:N0} rows were written, {clicks.Lost - lostBefore:N0} lost");
        var ok = appRun.Errors == 0 && written == accepted && clicks.Lost == lostBefore && accepted >= appRun.Requests;
        if (!ok)
            Console.Error.WriteLine("Clicks went missing or requests failed: see above.");
        return ok ? 0 : 1;
    }

    private static async Task<long> ClickRowsAsync(string connectionString, string code) =>
        await PostgresServer.ScalarAsync<long>(connectionString, $"""SELECT count(*) FROM "Clicks" WHERE "Code" = '{code}'""");

    private static async Task DrainedAsync(EventQueue<Click> clicks)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (clicks.Written + clicks.Lost < clicks.Accepted && DateTime.UtcNow < deadline)
            await Task.Delay(100);
    }

    private sealed record WrkRun(double RequestsPerSecond, long Requests, long Errors, string P50, string P90, string P99)
    {
        public override string ToString() => $"{RequestsPerSecond:N0} req/s, latency p50 {P50}, p90 {P90}, p99 {P99}, {Requests:N0} requests, {Errors} errors";
    }

    private static WrkRun Wrk(string url, int seconds)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-t2", "-c64", $"-d{seconds}s", "--latency", "-H", $"User-Agent: {Firefox}", url })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start wrk: apt-get install wrk.");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string Percentile(string p) => Regex.Match(output, $@"^\s+{p}%\s+(\S+)", RegexOptions.Multiline).Groups[1].Value;
        var rps = double.Parse(Regex.Match(output, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        var requests = long.Parse(Regex.Match(output, @"(\d+) requests in").Groups[1].Value, CultureInfo.InvariantCulture);
        var non3xx = Regex.Match(output, @"Non-2xx or 3xx responses: (\d+)") is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var socketErrors = Regex.Match(output, @"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)") is { Success: true } s
            ? Enumerable.Range(1, 4).Sum(i => long.Parse(s.Groups[i].Value, CultureInfo.InvariantCulture)) : 0;
        return new WrkRun(rps, requests, non3xx + socketErrors, Percentile("50"), Percentile("90"), Percentile("99"));
    }

    private static void EnsureSuccessOrRedirect(this HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.Found)
            throw new InvalidOperationException($"The redirect answered {(int)response.StatusCode}.");
    }

    // ---------------------------------------------------------------- ingest

    private static async Task<int> IngestAsync(KestrelBenchApp app, string baseUrl, string connectionString, int batches)
    {
        const int PerBatch = 1000;
        const int Senders = 4;
        var (key, hash) = IngestApi.NewKey();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            db.IngestKeys.Add(new IngestKey { Name = "Bench shop", Prefix = key[..8], KeyHash = hash, CreatedByName = "bench", CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }
        // The bodies are made before the clock starts: the shop's cost is not the app's.
        string Body(int round, int batch) => "{\"events\":[" + string.Join(',', Enumerable.Range(0, PerBatch).Select(i =>
        {
            var n = batch * PerBatch + i;
            return (n % 10) switch
            {
                0 => $$"""{"id":"r{{round}}-{{n}}","type":"sale","visitorId":"v{{n % 50_000}}","value":{{10 + n % 90}}.5,"currency":"EUR"}""",
                1 or 2 => $$"""{"id":"r{{round}}-{{n}}","type":"qualified","emailSha256":"{{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(n)))}}"}""",
                _ => $$"""{"id":"r{{round}}-{{n}}","type":"contact","visitorId":"v{{n % 50_000}}"}""",
            };
        })) + "]}";

        using var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        async Task SendAsync(string body)
        {
            using var response = await client.PostAsync("/api/events", new StringContent(body, Encoding.UTF8, "application/json"));
            if (response.StatusCode != HttpStatusCode.OK)
                throw new InvalidOperationException($"POST /api/events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        await SendAsync(Body(0, 0)); // warm-up
        var rates = new List<double>();
        const int Rounds = 3;
        for (var round = 1; round <= Rounds; round++)
        {
            var bodies = new System.Collections.Concurrent.ConcurrentQueue<string>(Enumerable.Range(0, batches).Select(b => Body(round, b)));
            var stopwatch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Senders).Select(async _ =>
            {
                while (bodies.TryDequeue(out var body))
                    await SendAsync(body);
            }));
            stopwatch.Stop();
            rates.Add(batches * PerBatch / stopwatch.Elapsed.TotalSeconds);
            Console.WriteLine($"  round {round}: {batches * PerBatch:N0} events in {stopwatch.Elapsed.TotalSeconds:0.00} s = {rates[^1]:N0} events/s");
        }
        var stored = await PostgresServer.ScalarAsync<long>(connectionString, """SELECT count(*) FROM "Conversions" WHERE "Source" = 'api' AND "EventId" LIKE 'r%'""");
        // A retried batch must not count twice: send round 1's first batch again.
        await SendAsync(Body(1, 0));
        var storedAfterRetry = await PostgresServer.ScalarAsync<long>(connectionString, """SELECT count(*) FROM "Conversions" WHERE "Source" = 'api' AND "EventId" LIKE 'r%'""");
        rates.Sort();
        var expected = 1000L + Rounds * batches * PerBatch;
        Console.WriteLine($"POST /api/events, {PerBatch:N0} events a batch, {Senders} senders, {batches} batches a round: median {rates[rates.Count / 2]:N0} events/s " +
                          $"(min {rates[0]:N0}, max {rates[^1]:N0}); {stored:N0} of {expected:N0} events stored, {storedAfterRetry - stored} more after a retried batch");
        return stored == expected && storedAfterRetry == stored ? 0 : 1;
    }

    // ---------------------------------------------------------------- dashboard

    private static async Task<int> DashboardAsync(KestrelBenchApp app, string baseUrl, string connectionString, double millions)
    {
        var total = (long)(millions * 1_000_000);
        var (clicks, views, conversions) = (total * 6 / 10, total * 35 / 100, total * 5 / 100);
        const int Visitors = 1_000_000;
        var end = DateTimeOffset.UtcNow.AddHours(-1);
        var start = end.AddDays(-91);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        async Task Sql(string what, string sql)
        {
            var stopwatch = Stopwatch.StartNew();
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            command.Parameters.AddWithValue("start", start);
            command.Parameters.AddWithValue("span", (end - start).TotalSeconds);
            await command.ExecuteNonQueryAsync();
            Console.WriteLine($"  {what}: {stopwatch.Elapsed.TotalSeconds:N0} s");
        }
        await AnalyticsDatabase.EnsurePartitionsAsync(connection, start.AddMonths(-1), 6);
        // The demo's rollups have run up to now; the quarter's rows arrive "then" (ReceivedAt = At), so the rollups start over.
        await Sql("rollup watermarks reset", """DELETE FROM "AnalyticsWatermarks" """);
        // The demo's published variants carry the clicks; rows arrive in time order (ReceivedAt = At, as live traffic would).
        await Sql($"{clicks:N0} clicks", $"""
            WITH v AS (SELECT array_agg(t."Code") AS codes, array_agg(t."VariantId") AS variants, array_agg(x."ChannelAccountId") AS accounts,
                              array_agg(m."CampaignId") AS campaigns, count(*) AS n
                       FROM "TrackedLinks" t JOIN "Variants" x ON x."Id" = t."VariantId" JOIN "Messages" m ON m."Id" = x."MessageId")
            INSERT INTO "Clicks" ("Id", "At", "Code", "VariantId", "ChannelAccountId", "CampaignId", "VisitorHash", "ReferrerHost", "Device", "IsPreview", "ReceivedAt")
            SELECT gen_random_uuid(), at, v.codes[k::int], v.variants[k::int], v.accounts[k::int], v.campaigns[k::int], (random() * {Visitors})::bigint,
                   (ARRAY['t.co', 'bsky.app', 'mastodon.social', 'lnkd.in', NULL])[1 + (g % 5)::int], (1 + g % 3)::smallint, g % 20 = 0, at
            FROM v, generate_series(1::bigint, {clicks}) g,
                 LATERAL (SELECT @start + make_interval(secs => @span * g / {clicks}) AS at, 1 + (g * 7919) % v.n AS k) p
            """);
        await Sql($"{views:N0} page views", $"""
            INSERT INTO "PageViews" ("Id", "At", "SessionId", "VisitorId", "VisitorHash", "StartsSession", "Host", "Path", "ClickId", "UtmSource", "UtmMedium", "UtmCampaign", "ReferrerHost", "Device", "ReceivedAt")
            SELECT gen_random_uuid(), at, gen_random_uuid(), 'v' || (g * 104729 % {Visitors}), (random() * {Visitors})::bigint, g % 3 = 0, 'northwind.example',
                   (ARRAY['/', '/autumn', '/shop', '/blog/roasting'])[1 + (g % 4)::int], NULL,
                   CASE WHEN g % 50 = 0 THEN 'newsletter-partner' END, CASE WHEN g % 50 = 0 THEN 'referral' END, NULL, NULL, 1::smallint, at
            FROM generate_series(1::bigint, {views}) g, LATERAL (SELECT @start + make_interval(secs => @span * g / {views}) AS at) p
            """);
        await Sql($"{conversions:N0} conversions", $"""
            INSERT INTO "Conversions" ("EventId", "Kind", "At", "ReceivedAt", "Value", "Currency", "ClickId", "VisitorId", "EmailSha256", "Source")
            SELECT 'bench-' || g, (ARRAY[1, 1, 1, 2, 3])[1 + (g % 5)::int]::smallint, at, at, CASE WHEN g % 5 = 4 THEN 10 + g % 90 ELSE 0 END,
                   CASE WHEN g % 5 = 4 THEN 'EUR' END, NULL, 'v' || (g * 104729 % {Visitors}), NULL, 'api'
            FROM generate_series(1::bigint, {conversions}) g, LATERAL (SELECT @start + make_interval(secs => @span * g / {conversions}) AS at) p
            """);
        await Sql("ANALYZE", "ANALYZE");

        // The app's own rollups, as the worker's minutely job runs them, until every event is counted.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var rollups = scope.ServiceProvider.GetRequiredService<AnalyticsRollups>();
            var stopwatch = Stopwatch.StartNew();
            long counted = 0;
            while (true)
            {
                var progress = await rollups.CatchUpAsync(TimeSpan.FromSeconds(30));
                counted += progress.Clicks + progress.PageViews + progress.Conversions;
                Console.WriteLine($"  rolled up {counted:N0} events in {stopwatch.Elapsed.TotalSeconds:N0} s");
                if (progress.CaughtUp)
                    break;
            }
            Console.WriteLine($"Rollups: {counted:N0} events in {stopwatch.Elapsed.TotalSeconds:N0} s = {counted / stopwatch.Elapsed.TotalSeconds:N0} events/s");
        }

        // The dashboard for the quarter, signed in as the demo marketer, as a browser asks for it.
        var marketer = await SeededMarketerAsync(app);
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(baseUrl) };
        var token = BenchWebApp.AntiforgeryToken(await client.GetStringAsync("/Account/SignIn"));
        var signIn = await client.PostAsync("/Account/SignIn", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = marketer.Email, ["Input.Password"] = marketer.Password, ["__RequestVerificationToken"] = token,
        }));
        if (signIn.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Signing in answered {(int)signIn.StatusCode}.");
        var paris = TimeZoneInfo.FindSystemTimeZoneById(DemoSeeder.BrandTimeZone);
        var url = $"/Analytics?from={TimeZoneInfo.ConvertTime(start, paris):yyyy-MM-dd}&to={TimeZoneInfo.ConvertTime(end, paris):yyyy-MM-dd}";
        var page = await client.GetStringAsync(url);
        for (var i = 0; i < 10; i++)
            await client.GetStringAsync(url);
        var times = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseContentRead);
            stopwatch.Stop();
            response.EnsureSuccessStatusCode();
            times.Add(stopwatch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        await PartsAsync(app, connectionString, new ReportFilter(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(start, paris).DateTime),
            DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(end, paris).DateTime), paris));
        var rows = await PostgresServer.ScalarAsync<long>(connectionString, """SELECT (SELECT count(*) FROM "Clicks") + (SELECT count(*) FROM "PageViews") + (SELECT count(*) FROM "Conversions")""");
        Console.WriteLine($"GET {url} over {rows:N0} events ({page.Length / 1024:N0} KB of HTML), 50 requests after 10 warm-up:");
        Console.WriteLine($"  median {times[25]:0} ms, p90 {times[45]:0} ms, min {times[0]:0} ms, max {times[^1]:0} ms");
        return 0;
    }

    /// <summary>What each part of the page costs (median of 10), and the size of the rollups it reads: where the time goes.</summary>
    private static async Task PartsAsync(KestrelBenchApp app, string connectionString, ReportFilter filter)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var report = scope.ServiceProvider.GetRequiredService<AnalyticsReport>();
        var rollups = scope.ServiceProvider.GetRequiredService<AnalyticsRollups>();
        var parts = new (string Name, Func<Task> Run)[]
        {
            ("catch-up (nothing new)", () => rollups.CatchUpAsync(TimeSpan.FromSeconds(1.5))),
            ("channels", () => report.ChannelsAsync(filter)),
            ("daily", () => report.DailyAsync(filter, null, Publisher.Analytics.Attribution.AttributionModel.LastTouch)),
            ("variants", () => report.VariantsAsync(filter)),
            ("campaigns", () => report.CampaignsAsync(filter)),
            ("engagement", () => report.EngagementAsync(filter)),
        };
        foreach (var (name, run) in parts)
        {
            var times = new List<double>();
            for (var i = 0; i < 10; i++)
            {
                var stopwatch = Stopwatch.StartNew();
                await run();
                times.Add(stopwatch.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine($"  {name}: median {times[5]:0} ms");
        }
        foreach (var table in new[] { "ClickHours", "ChannelHours", "VariantHours", "VisitorDays", "AnalyticsIdentities" })
            Console.WriteLine($"  {table}: {await PostgresServer.ScalarAsync<long>(connectionString, $"SELECT count(*) FROM \"{table}\""):N0} rows");
    }

    private static async Task<(string Email, string Password)> SeededMarketerAsync(KestrelBenchApp app)
    {
        // The demo's passwords are random and shown once: give the marketer a known one.
        const string Password = "Bench-password-1";
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>();
        var user = await users.FindByEmailAsync("marketer@demo.publisher.local") ?? throw new InvalidOperationException("No demo marketer.");
        await users.RemovePasswordAsync(user);
        await users.AddPasswordAsync(user, Password);
        return (user.Email!, Password);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
