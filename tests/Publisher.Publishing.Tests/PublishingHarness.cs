using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Publisher.Core;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Jobs;
using Publisher.Core.Publishing;
using Publisher.Core.Workflow;
using Publisher.Testing;
using Publisher.Worker.Channels;
using Publisher.Worker.Publishing;

namespace Publisher.Publishing.Tests;

/// <summary>
/// The worker's publishing services on a fresh, migrated PostgreSQL database (Hangfire's storage included),
/// with a scripted client standing in for the network, and one author, one approver and one account.
/// </summary>
public sealed class PublishingHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private PublishingHarness(ServiceProvider services, string connectionString, ScriptedChannelClient client, string masterKey)
    {
        _services = services;
        ConnectionString = connectionString;
        Client = client;
        MasterKeyValue = masterKey;
    }

    public string MasterKeyValue { get; }

    /// <summary>What a worker process needs to share this database, with short timeouts so tests do not wait minutes.</summary>
    public Dictionary<string, string> WorkerEnvironment() => new()
    {
        ["PUBLISHER_DB"] = ConnectionString,
        ["PUBLISHER_MASTER_KEY"] = MasterKeyValue,
        ["PUBLISHER_URL"] = "http://127.0.0.1:5999",
        ["Publishing__RequestTimeout"] = "00:00:05",
        ["Publishing__SweepInterval"] = "00:00:01",
        ["Publishing__InitialBackoff"] = "00:00:01",
        ["Worker__Count"] = "4",
        [PrivateNetworks.EnvironmentVariable] = "true", // the fake networks listen on 127.0.0.1
    };

    public string ConnectionString { get; }
    public ScriptedChannelClient Client { get; }
    public IServiceProvider Services => _services;
    public string AuthorId { get; private set; } = "";
    public string ApproverId { get; private set; } = "";
    public Guid AccountId { get; private set; }

    public static async Task<PublishingHarness> StartAsync(PostgresServer postgres, IDictionary<string, string?>? settings = null) =>
        await StartAsync(await postgres.CreateMigratedDatabaseAsync("publishing"), settings);

    /// <summary>On a cluster of the test's own (one it may stop and start).</summary>
    public static async Task<PublishingHarness> StartAsync(Core.Database.LocalPostgresCluster cluster, IDictionary<string, string?>? settings = null)
    {
        await cluster.EnsureDatabaseAsync("publishing");
        var connectionString = cluster.ConnectionString("publishing");
        await using (var db = PostgresServer.NewContext(connectionString))
            await DatabaseInitializer.MigrateAsync(db);
        return await StartAsync(connectionString, settings);
    }

    private static async Task<PublishingHarness> StartAsync(string connectionString, IDictionary<string, string?>? settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["PUBLISHER_DB"] = connectionString,
            ["PUBLISHER_MASTER_KEY"] = MasterKey.Generate(),
            ["PUBLISHER_URL"] = "http://127.0.0.1:5999",
            ["Publishing:RequestTimeout"] = "00:00:05",
            ["Publishing:InitialBackoff"] = "00:00:10",
            ["Publishing:MaxAttempts"] = "3",
            // A quick heartbeat, so a test can see other workers judged dead without waiting ten seconds.
            ["Publishing:HeartbeatInterval"] = "00:00:00.2",
            ["Publishing:WorkerDeadAfter"] = "00:00:01",
            [PrivateNetworks.ConfigurationKey] = "true", // the fake networks listen on 127.0.0.1
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var client = new ScriptedChannelClient();
        var services = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton<IConfiguration>(configuration);
        services.AddCore(configuration);
        services.AddPublishing();
        services.AddSingleton<IChannelClient>(client);
        var harness = new PublishingHarness(services.BuildServiceProvider(validateScopes: true), connectionString, client, values["PUBLISHER_MASTER_KEY"]!);
        await harness.SeedAsync();
        // This process is a worker like any other: what it claims is its own only while its heartbeat is written.
        var heartbeat = harness.Services.GetRequiredService<PublishWorkerHeartbeat>();
        await heartbeat.StartAsync(CancellationToken.None);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        if (!await heartbeat.WaitUntilBeatingAsync(patience.Token))
            throw new TimeoutException("The harness's worker heartbeat was not written within 60 s.");
        return harness;
    }

    /// <summary>
    /// Waits until this process's heartbeat has run long enough for it to judge other workers dead (about
    /// <c>WorkerDeadAfter</c>, one second here): before that it leaves every open attempt to its worker.
    /// </summary>
    public async Task WaitUntilJudgingAsync()
    {
        var heartbeat = _services.GetRequiredService<PublishWorkerHeartbeat>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!heartbeat.CanJudgeOthers)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The harness's heartbeat did not run unbroken for long enough within 60 s.");
            await Task.Delay(50);
        }
    }

    /// <summary>An attempt left open by another worker, alive (its heartbeat is fresh) or dead (it stopped beating long ago).</summary>
    public Task OpenAttemptAsync(Guid variantId, string worker, bool alive, DateTimeOffset startedAt, bool sent) =>
        DbAsync(async db =>
        {
            var variant = await db.Variants.SingleAsync(v => v.Id == variantId);
            db.PublishAttempts.Add(new PublishAttempt
            {
                VariantId = variantId, Number = Math.Max(1, variant.Attempts), ContentHash = variant.ContentHash, IdempotencyKey = "k", Worker = worker,
                StartedAt = startedAt, SentAt = sent ? startedAt : null,
            });
            // A live worker beats on; one seen an hour ago is dead by any measure.
            var seen = alive ? DateTimeOffset.UtcNow.AddHours(1) : DateTimeOffset.UtcNow.AddHours(-1);
            db.PublishWorkers.Add(new PublishWorker { Name = worker, StartedAt = startedAt, SeenAt = seen });
            await db.SaveChangesAsync();
        });

    private async Task SeedAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var author = new AppUser { UserName = "max@t.local", Email = "max@t.local", DisplayName = "Max" };
        var approver = new AppUser { UserName = "ava@t.local", Email = "ava@t.local", DisplayName = "Ava" };
        db.Users.AddRange(author, approver);
        var credentials = scope.ServiceProvider.GetRequiredService<ChannelCredentials>();
        var account = new ChannelAccount
        {
            Name = "Northwind on Mastodon", Kind = "Mastodon", Handle = "@northwind", AllowThreads = true,
            BaseAddress = "https://social.example", EncryptedCredentials = credentials.Protect(new Dictionary<string, string> { ["access_token"] = "secret-token" }),
        };
        db.ChannelAccounts.Add(account);
        await db.SaveChangesAsync();
        (AuthorId, ApproverId, AccountId) = (author.Id, approver.Id, account.Id);
    }

    /// <summary>Points the account at a fake network with the credentials it expects.</summary>
    public Task PointAccountAtAsync(string kind, Uri baseAddress, IReadOnlyDictionary<string, string> credentials, IReadOnlyDictionary<string, string>? settings = null) =>
        DbAsync(async db =>
        {
            var account = await db.ChannelAccounts.SingleAsync(a => a.Id == AccountId);
            account.Kind = kind;
            account.BaseAddress = baseAddress.ToString();
            account.EncryptedCredentials = _services.GetRequiredService<ChannelCredentials>().Protect(credentials);
            account.SettingsJson = settings is null ? null : System.Text.Json.JsonSerializer.Serialize(settings);
            await db.SaveChangesAsync();
        });

    /// <summary>Waits until the variant reaches <paramref name="state"/>; the worker's output explains a timeout.</summary>
    public async Task<Variant> WaitForStateAsync(Guid variantId, VariantState state, TimeSpan timeout, Func<string>? explain = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var variant = await LoadAsync(variantId);
            if (variant.State == state)
                return variant;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The variant is {variant.State} ({variant.LastError}), not {state}, after {timeout.TotalSeconds:0} s.\n{explain?.Invoke()}");
            await Task.Delay(100);
        }
    }

    /// <summary>A variant approved as it stands and scheduled for <paramref name="at"/> (with a token, but no Hangfire job).</summary>
    /// <param name="content">Shapes what is approved (before the hash is taken); <paramref name="tweak"/> changes the variant after its approval.</param>
    public async Task<Guid> ScheduledVariantAsync(DateTimeOffset at, string text = "Fresh beans on Saturday.", IReadOnlyList<string>? thread = null, Action<Variant>? tweak = null,
        Action<Variant>? content = null)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var message = new Message { Title = "Roastery open day", AuthorId = AuthorId, TimeZone = "Europe/Paris", PlannedAt = at };
        var variant = new Variant
        {
            MessageId = message.Id, ChannelAccountId = AccountId, RenderedText = text, ThreadParts = thread?.ToList() ?? [],
            State = VariantState.Scheduled, ScheduledAt = at, ScheduleToken = Guid.NewGuid(), LastEditedById = AuthorId,
        };
        content?.Invoke(variant);
        variant.ContentHash = ContentHash.Of(variant);
        db.Messages.Add(message);
        db.Variants.Add(variant);
        db.Approvals.Add(new Approval
        {
            VariantId = variant.Id, ApproverId = ApproverId, ContentHash = variant.ContentHash, ContentText = text,
            Decision = ApprovalDecision.Approved, Step = 0, Role = Roles.Approver, At = DateTimeOffset.UtcNow,
        });
        tweak?.Invoke(variant);
        await db.SaveChangesAsync();
        return variant.Id;
    }

    /// <summary>Runs the publish job as Hangfire would, with the variant's current token (or the one given).</summary>
    public async Task RunJobAsync(Guid variantId, Guid? token = null)
    {
        token ??= (await LoadAsync(variantId)).ScheduleToken;
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IPublishVariantJob>().PublishAsync(variantId, token!.Value, CancellationToken.None);
    }

    public async Task<Variant> LoadAsync(Guid variantId)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        return await db.Variants.AsNoTracking().Include(v => v.PublishAttempts).Include(v => v.Approvals).Include(v => v.ChannelAccount).Include(v => v.Message)
            .SingleAsync(v => v.Id == variantId);
    }

    public async Task<List<T>> QueryAsync<T>(Func<PublisherDbContext, IQueryable<T>> query)
    {
        await using var scope = _services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PublisherDbContext>()).ToListAsync();
    }

    public async Task WithScopeAsync(Func<IServiceProvider, Task> act)
    {
        await using var scope = _services.CreateAsyncScope();
        await act(scope.ServiceProvider);
    }

    public async Task DbAsync(Func<PublisherDbContext, Task> act)
    {
        await using var scope = _services.CreateAsyncScope();
        await act(scope.ServiceProvider.GetRequiredService<PublisherDbContext>());
    }

    /// <summary>Brings a retry's time forward to now, as if its back-off had passed.</summary>
    public Task DueNowAsync(Guid variantId) =>
        DbAsync(db => db.Variants.Where(v => v.Id == variantId).ExecuteUpdateAsync(s => s.SetProperty(v => v.NextAttemptAt, DateTimeOffset.UtcNow)));

    public IMonitoringApi Monitoring => _services.GetRequiredService<JobStorage>().GetMonitoringApi();

    /// <summary>The state name of a Hangfire job (Scheduled, Enqueued, Deleted, …).</summary>
    public string? JobState(string jobId)
    {
        using var connection = _services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetJobData(jobId)?.State;
    }

    /// <summary>The arguments a Hangfire job was created with.</summary>
    public IReadOnlyList<object?> JobArguments(string jobId)
    {
        using var connection = _services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetJobData(jobId)?.Job?.Args?.ToList() ?? [];
    }

    public static Actor Person(string id, string name) => new(id, name);

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}
