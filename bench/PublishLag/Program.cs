using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Hangfire;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Publisher.Core;
using Publisher.Core.Data;
using Publisher.Core.Database;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Core.Workflow;

// Publish lag: N variants due at the same instant, published by real worker processes to a local webhook
// receiver; the lag is from the due time to the request's arrival. A plain Hangfire job that makes the same
// HTTP call, run by an in-process Hangfire server with the same settings, is the baseline.
//   dotnet run -c Release --project bench/PublishLag -- [--workers 2] [--no-baseline] [--cold] 100 1000 10000
var arguments = args.ToList();
var workers = 2;
if (arguments.IndexOf("--workers") is var at and >= 0)
{
    workers = int.Parse(arguments[at + 1]);
    arguments.RemoveRange(at, 2);
}
// --no-baseline: the workers only (for trying out a change; the recorded figures always have the baseline).
var withBaseline = !arguments.Remove("--no-baseline");
// --cold: the burst is the fresh workers' first work. By default they first publish a small burst (WarmBurst
// variants), as a worker running since the morning has: 09:00 is not its first post, and its code is compiled.
var cold = arguments.Remove("--cold");
const int WarmBurst = 200;
var sizes = arguments.Count > 0 ? arguments.Select(int.Parse).ToArray() : [100, 1000, 10000];
var root = FindRoot();
var workerDll = Path.Combine(root, "worker", "bin", "Release", "net10.0", "Publisher.Worker.dll");
if (!File.Exists(workerDll))
{
    Console.Error.WriteLine($"Build the worker first: dotnet build worker -c Release ({workerDll} is missing).");
    return 2;
}

var folder = Path.Combine(Path.GetTempPath(), "publisher-lag-" + Guid.NewGuid().ToString("N")[..8]);
await using var cluster = await LocalPostgresCluster.StartAsync(folder, durable: true);
await using var receiver = await Receiver.StartAsync();
await receiver.WarmUpAsync();
Console.WriteLine($"machine: {Environment.ProcessorCount} cores; {workers} worker process(es)");
Console.WriteLine("| N | what | load average at start | first | median lag | p99 lag | max lag (all out) | publishes/s |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
foreach (var n in sizes)
{
    var database = $"lag{n}_{Guid.NewGuid():N}"[..20];
    await cluster.EnsureDatabaseAsync(database);
    var connectionString = cluster.ConnectionString(database);
    await using (var db = new PublisherDbContext(new DbContextOptionsBuilder<PublisherDbContext>().UseNpgsql(connectionString).Options))
        await DatabaseInitializer.MigrateAsync(db);
    var masterKey = MasterKey.Generate();
    var services = Services(connectionString, masterKey);

    // Publisher: variants scheduled through the scheduler as the web app does (so each has its Hangfire job), for
    // an hour ahead while seeding lasts; then the worker processes start, and every variant is brought to one
    // instant a few seconds ahead in one write.
    var seeding = Stopwatch.StartNew();
    var warm = cold ? 0 : WarmBurst;
    var seeded = await SeedAsync(services, receiver.Url, n + warm, DateTimeOffset.UtcNow.AddHours(1));
    var ids = seeded.Skip(warm).ToList();
    Console.Error.WriteLine($"seeding {n + warm:N0} scheduled variants took {seeding.Elapsed.TotalSeconds:0.0} s");
    var running = Enumerable.Range(0, workers).Select(_ => StartWorker(workerDll, connectionString, masterKey)).ToList();
    await WaitForWorkersAsync(connectionString, workers);
    if (warm > 0)
    {
        receiver.Reset();
        await DueAtAsync(connectionString, seeded.Take(warm).ToList(), DateTimeOffset.UtcNow.AddSeconds(2));
        var warmed = await receiver.WaitForAsync(warm, DateTimeOffset.UtcNow.AddMinutes(2));
        Console.Error.WriteLine($"warm-up: {warmed.Count} of {warm} published before the measured burst");
    }
    receiver.Reset();
    var load = LoadAverage();
    var due = DateTimeOffset.UtcNow.AddSeconds(5);
    await DueAtAsync(connectionString, ids, due);
    var before = CpuUse.Sample(running, cluster.DataDirectory);
    var arrivals = await receiver.WaitForAsync(n, due + TimeSpan.FromSeconds(Math.Max(120, n / 20)));
    var used = CpuUse.Sample(running, cluster.DataDirectory) - before;
    foreach (var worker in running)
        worker.Kill(entireProcessTree: true);
    Report(n, $"Publisher, {workers} worker(s)", load, due, arrivals);
    Console.Error.WriteLine(used.Describe(n));

    // Baseline: a plain Hangfire job making the same call, on an in-process server with the same settings.
    if (!withBaseline)
    {
        await services.DisposeAsync();
        continue;
    }
    receiver.Reset();
    var jobs = services.GetRequiredService<IBackgroundJobClient>();
    var baselineDue = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10) + await SchedulingTimeAsync(jobs, n);
    await Parallel.ForAsync(0, n, new ParallelOptions { MaxDegreeOfParallelism = 8 }, (i, _) =>
    {
        jobs.Schedule<BaselineJob>("baseline", job => job.PostAsync(receiver.Url, i), baselineDue);
        return ValueTask.CompletedTask;
    });
    if (DateTimeOffset.UtcNow > baselineDue)
        Console.Error.WriteLine($"Scheduling the baseline's jobs took past their due time by {(DateTimeOffset.UtcNow - baselineDue).TotalSeconds:0.0} s.");
    load = LoadAverage();
    using (new BackgroundJobServer(new BackgroundJobServerOptions
           {
               Queues = ["baseline"], WorkerCount = Math.Max(4, Environment.ProcessorCount * 4), SchedulePollingInterval = TimeSpan.FromMilliseconds(500),
               Activator = new BaselineActivator(),
           }, services.GetRequiredService<JobStorage>()))
    {
        var baselineBefore = CpuUse.Sample([], cluster.DataDirectory);
        var baseline = await receiver.WaitForAsync(n, baselineDue + TimeSpan.FromSeconds(Math.Max(120, n / 10)));
        var baselineUsed = CpuUse.Sample([], cluster.DataDirectory) - baselineBefore;
        Report(n, "plain Hangfire job", load, baselineDue, baseline);
        Console.Error.WriteLine("baseline " + baselineUsed.Describe(n));
    }
    await services.DisposeAsync();
}
await cluster.StopAsync();
try { Directory.Delete(folder, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
return 0;

// How long scheduling n jobs will take (measured on a sample in a queue no server reads), with room to spare.
static async Task<TimeSpan> SchedulingTimeAsync(IBackgroundJobClient jobs, int n)
{
    var sample = Math.Min(n, 200);
    var watch = Stopwatch.StartNew();
    await Parallel.ForAsync(0, sample, new ParallelOptions { MaxDegreeOfParallelism = 8 }, (i, _) =>
    {
        jobs.Schedule<BaselineJob>("probe", job => job.PostAsync("http://127.0.0.1:9/", i), DateTimeOffset.UtcNow.AddDays(1));
        return ValueTask.CompletedTask;
    });
    return watch.Elapsed * ((double)n / sample) * 2;
}

static async Task WaitForWorkersAsync(string connectionString, int count)
{
    var deadline = DateTime.UtcNow.AddMinutes(2);
    await using var db = new PublisherDbContext(new DbContextOptionsBuilder<PublisherDbContext>().UseNpgsql(connectionString).Options);
    while (await db.PublishWorkers.CountAsync() < count)
    {
        if (DateTime.UtcNow > deadline)
            throw new TimeoutException($"{count} worker(s) did not start within 2 minutes.");
        await Task.Delay(100);
    }
    // Each warms its publish path once it beats: give that a moment.
    await Task.Delay(TimeSpan.FromSeconds(3));
}

static async Task DueAtAsync(string connectionString, IReadOnlyList<Guid> ids, DateTimeOffset due)
{
    await using var db = new PublisherDbContext(new DbContextOptionsBuilder<PublisherDbContext>().UseNpgsql(connectionString).Options);
    var array = ids.ToArray();
    await db.Variants.Where(v => array.Contains(v.Id)).ExecuteUpdateAsync(s => s.SetProperty(v => v.ScheduledAt, due));
}

static ServiceProvider Services(string connectionString, string masterKey)
{
    var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["PUBLISHER_DB"] = connectionString, ["PUBLISHER_MASTER_KEY"] = masterKey,
    }).Build();
    var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
    services.AddCore(configuration);
#pragma warning disable ASP0000 // a console harness, not an app's startup
    return services.BuildServiceProvider();
#pragma warning restore ASP0000
}

// The variants as the scheduler leaves them: approved, then moved to Scheduled through the workflow (its audit event),
// with a schedule token and their Hangfire backstop job made by the scheduler. Made in bulk: the rows in one save, and
// the jobs by PublishScheduler.CreateJobAsync in chunks of variants read together (through ScheduleAsync one variant at
// a time, 10,000 took 7 minutes on a loaded machine).
static async Task<IReadOnlyList<Guid>> SeedAsync(ServiceProvider services, string url, int n, DateTimeOffset due)
{
    var ids = new List<Guid>();
    await using (var scope = services.CreateAsyncScope())
    {
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var workflow = scope.ServiceProvider.GetRequiredService<VariantWorkflow>();
        var author = new AppUser { UserName = "bench@local", Email = "bench@local", DisplayName = "Bench" };
        var approver = new AppUser { UserName = "approver@local", Email = "approver@local", DisplayName = "Approver" };
        db.Users.AddRange(author, approver);
        var account = new ChannelAccount
        {
            Name = "Bench webhook", Kind = "Webhook", BaseAddress = url,
            EncryptedCredentials = scope.ServiceProvider.GetRequiredService<ChannelCredentials>().Protect(new Dictionary<string, string> { ["secret"] = "bench-secret" }),
        };
        db.ChannelAccounts.Add(account);
        var actor = new Actor(author.Id, "Bench");
        for (var i = 0; i < n; i++)
        {
            var message = new Message { Title = $"Post {i}", AuthorId = author.Id, TimeZone = "UTC", PlannedAt = due };
            var variant = new Variant
            {
                MessageId = message.Id, ChannelAccountId = account.Id, RenderedText = $"Post number {i}.", JsonPayload = $"{{\"n\":{i}}}",
                State = VariantState.Approved, ScheduledAt = due, LastEditedById = author.Id,
            };
            variant.ContentHash = ContentHash.Of(variant);
            db.Messages.Add(message);
            db.Variants.Add(variant);
            db.Approvals.Add(new Approval { VariantId = variant.Id, ApproverId = approver.Id, ContentHash = variant.ContentHash, Decision = ApprovalDecision.Approved, Role = Roles.Approver, At = DateTimeOffset.UtcNow });
            var scheduled = workflow.Transition(variant, VariantState.Scheduled, actor, $"scheduled for {due:yyyy-MM-dd HH:mm} UTC");
            if (!scheduled.Succeeded)
                throw new InvalidOperationException(scheduled.Error);
            variant.ScheduleToken = Guid.NewGuid();
            ids.Add(variant.Id);
        }
        await db.SaveChangesAsync();
    }
    await Parallel.ForEachAsync(ids.Chunk(250), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (chunk, cancellationToken) =>
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var scheduler = scope.ServiceProvider.GetRequiredService<PublishScheduler>();
        foreach (var variant in await db.Variants.Where(v => chunk.Contains(v.Id)).ToListAsync(cancellationToken))
        {
            await scheduler.CreateJobAsync(variant, cancellationToken);
            if (variant.JobId is null)
                throw new InvalidOperationException($"{variant.Id} got no backstop job");
        }
    });
    return ids;
}

static Process StartWorker(string dll, string connectionString, string masterKey)
{
    var start = new ProcessStartInfo("dotnet", [dll]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    start.Environment["PUBLISHER_DB"] = connectionString;
    start.Environment["PUBLISHER_MASTER_KEY"] = masterKey;
    start.Environment["DOTNET_ENVIRONMENT"] = "Production";
    start.Environment["Logging__LogLevel__Default"] = "Warning";
    start.Environment["Publishing__AllowPrivateNetworks"] = "true"; // the receiver listens on 127.0.0.1
    // Each takes its share of the burst: the Hangfire backstop jobs lie an hour ahead.
    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine("worker: " + line); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static void Report(int n, string what, string load, DateTimeOffset due, IReadOnlyList<DateTimeOffset> arrivals)
{
    if (arrivals.Count < n)
    {
        Console.WriteLine($"| {n:N0} | {what} | {load} | only {arrivals.Count:N0} of {n:N0} arrived within the time allowed | | | | |");
        return;
    }
    var lags = arrivals.Select(a => (a - due).TotalSeconds).Order().ToArray();
    double Percentile(double p) => lags[Math.Clamp((int)Math.Ceiling(p * lags.Length) - 1, 0, lags.Length - 1)];
    var span = (arrivals.Max() - arrivals.Min()).TotalSeconds;
    Console.WriteLine($"| {n:N0} | {what} | {load} | {lags[0]:0.00} s | {Percentile(0.5):0.00} s | {Percentile(0.99):0.00} s | {lags[^1]:0.00} s | {(span > 0 ? n / span : n):N0} |");
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Publisher.sln")))
            return dir.FullName;
    throw new InvalidOperationException("Run from the checkout: Publisher.sln not found.");
}

/// <summary>
/// Processor time used from just before the burst's due time until its last arrival, by whom: the worker processes,
/// this cluster's PostgreSQL (the server and its backends), this harness (the receiver) and the whole machine, so a
/// run says what bounds it on a shared machine. Linux only (read from /proc); zeros elsewhere.
/// </summary>
public sealed record CpuUse(double Workers, double Postgres, double Harness, double MachineBusy, double MachineAll)
{
    /// <summary>/proc counts in USER_HZ, which is 100 on every Linux this runs on.</summary>
    private const double TicksPerSecond = 100;

    public static CpuUse Sample(IEnumerable<Process> workers, string dataDirectory)
    {
        var workerTime = workers.Sum(w => { try { w.Refresh(); return w.TotalProcessorTime.TotalSeconds; } catch (InvalidOperationException) { return 0; } });
        var harness = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var (busy, all) = Machine();
        return new CpuUse(workerTime, PostgresTime(dataDirectory), harness, busy, all);
    }

    public static CpuUse operator -(CpuUse a, CpuUse b) =>
        new(a.Workers - b.Workers, a.Postgres - b.Postgres, a.Harness - b.Harness, a.MachineBusy - b.MachineBusy, a.MachineAll - b.MachineAll);

    public string Describe(int n)
    {
        double Ms(double seconds) => seconds * 1000 / n;
        var others = MachineBusy - Workers - Postgres - Harness;
        return $"cpu during the burst: workers {Workers:0.0} s ({Ms(Workers):0.00} ms/publish), PostgreSQL {Postgres:0.0} s ({Ms(Postgres):0.00} ms/publish), " +
               $"harness+receiver {Harness:0.0} s ({Ms(Harness):0.00} ms/publish); the machine was busy {MachineBusy:0.0} of {MachineAll:0.0} core-seconds, " +
               $"{Math.Max(0, others):0.0} of them other work";
    }

    /// <summary>The postmaster's own time and its reaped backends', plus every live backend's.</summary>
    private static double PostgresTime(string dataDirectory)
    {
        try
        {
            var postmaster = int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First().Trim());
            var total = 0.0;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid) || Stat(pid) is not { } stat)
                    continue;
                if (pid == postmaster)
                    total += stat.Own + stat.Children;
                else if (stat.Parent == postmaster)
                    total += stat.Own;
            }
            return total;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            return 0;
        }
    }

    private static (int Parent, double Own, double Children)? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            double Ticks(int field) => double.Parse(fields[field - 3]) / TicksPerSecond;
            return (int.Parse(fields[1]), Ticks(14) + Ticks(15), Ticks(16) + Ticks(17));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static (double Busy, double All) Machine()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(double.Parse).ToArray();
            var all = fields.Sum() / TicksPerSecond;
            var idle = (fields[3] + fields[4]) / TicksPerSecond;
            return (all - idle, all);
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return (0, 0);
        }
    }
}

/// <summary>The baseline: what a bare Hangfire job does to reach the same receiver.</summary>
public sealed class BaselineJob
{
    private static readonly HttpClient Http = new();

    public async Task PostAsync(string url, int n)
    {
        using var response = await Http.PostAsync(url, new StringContent($"{{\"n\":{n}}}"));
        response.EnsureSuccessStatusCode();
    }
}

public sealed class BaselineActivator : JobActivator
{
    public override object ActivateJob(Type jobType) => new BaselineJob();
}

/// <summary>A loopback HTTP endpoint that notes when each request arrives and answers 200 at once.</summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private ConcurrentBag<DateTimeOffset> _arrivals = [];

    private Receiver(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public static async Task<Receiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        Receiver? receiver = null;
        app.MapPost("/hook", (HttpContext _) =>
        {
            receiver!._arrivals.Add(DateTimeOffset.UtcNow);
            return Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new Receiver(app, address.TrimEnd('/') + "/hook");
        return receiver;
    }

    public void Reset() => _arrivals = [];

    /// <summary>
    /// Answers a few requests before the first measurement: the receiver stands in for a network that is always
    /// up and warm, so its own first-request start-up must not count as the worker's lag.
    /// </summary>
    public async Task WarmUpAsync()
    {
        using var http = new HttpClient();
        for (var i = 0; i < 20; i++)
            (await http.PostAsync(Url, new StringContent("{}"))).EnsureSuccessStatusCode();
        Reset();
    }

    public async Task<IReadOnlyList<DateTimeOffset>> WaitForAsync(int n, DateTimeOffset deadline)
    {
        while (_arrivals.Count < n && DateTimeOffset.UtcNow < deadline)
            await Task.Delay(50);
        return _arrivals.ToList();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
