using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Publisher.Core.Data;

namespace Publisher.Core.Publishing;

/// <summary>
/// One Data Protection key ring for the whole installation, from its first start. The keys live in PostgreSQL
/// (table <c>DataProtectionKeys</c>), each wrapped by the <see cref="MasterKey"/> when one is configured, so a
/// database copy alone cannot decrypt channel credentials.
/// <para>
/// Left to itself, every process that finds no key makes one, so a web app and a worker started at the same
/// moment on an empty database each made their own, and credentials saved by one could not be decrypted by the
/// other. So a key is only ever created by <see cref="KeyRingStartup"/>, under a PostgreSQL advisory lock, before
/// anything else in the process touches Data Protection; and a process that meets a key id it does not know
/// reads the key ring again (<see cref="KeyRingReload"/>) before it gives up.
/// </para>
/// </summary>
public static class DataProtectionKeys
{
    /// <summary>Part of every protected payload: every process of the installation must use the same.</summary>
    public const string ApplicationName = "Publisher";

    /// <summary>The advisory lock around key creation (any constant every process agrees on).</summary>
    public const long CreationLock = 0x5075_626C_4B65_7973;

    public static IServiceCollection AddPublisherDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        // Registered before Data Protection itself, whose own hosted service loads the key ring at start (and would
        // create a key if there were none): hosted services start in the order they were added.
        services.AddHostedService<KeyRingStartup>();
        services.AddSingleton<KeyRingReload>();
        services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToDbContext<PublisherDbContext>();
        if (MasterKey.FromConfiguration(configuration[MasterKey.EnvironmentVariable]) is { } masterKey)
        {
            services.AddSingleton(masterKey);
            services.Configure<KeyManagementOptions>(o => o.XmlEncryptor = new MasterKeyXmlEncryptor(masterKey));
        }
        return services;
    }
}

/// <summary>
/// At start, before anything else uses Data Protection, makes sure the installation has a key that is valid now
/// and for a while yet, creating one only under the advisory lock, so processes started together agree on
/// one key; then checks again twice a day, so a successor is made well before the key expires (activated two
/// days later, so every running process has read it by then). Waits for the database when it is not there yet.
/// </summary>
public sealed class KeyRingStartup(IKeyManager keys, IOptions<DatabaseOptions> database, TimeProvider clock, ILogger<KeyRingStartup> log)
    : IHostedService, IDisposable
{
    /// <summary>A successor is made when the newest key has less left than this.</summary>
    private static readonly TimeSpan SuccessorAhead = TimeSpan.FromDays(14);
    private static readonly TimeSpan Propagation = TimeSpan.FromDays(2);
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(90);
    private static readonly TimeSpan CheckEvery = TimeSpan.FromHours(12);
    private static readonly TimeSpan LockPollInterval = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _stop = new();
    private Task? _checks;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var retry = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                await EnsureKeyAsync(cancellationToken);
                break;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                log.LogWarning("Checking the data protection key ring failed ({Error}); waiting for the database, trying again in {Delay}", e.Message, retry);
                await Task.Delay(retry, cancellationToken);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
        _checks = CheckPeriodicallyAsync(_stop.Token);
    }

    private async Task CheckPeriodicallyAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(CheckEvery, clock, stopping);
                await EnsureKeyAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning("Checking the data protection key ring failed ({Error}); checking again in {Interval}", e.Message, CheckEvery);
            }
        }
    }

    /// <summary>Creates the key the installation needs, if it has none, while holding the advisory lock.</summary>
    public async Task EnsureKeyAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        // The lock belongs to a transaction, so it ends with it however this ends: committed, rolled back when the
        // connection goes back to the pool, or with the session. It is asked for again and again rather than waited
        // on, so no session stays queued for it after its client gave up (a busy machine's command timeout).
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand($"SELECT pg_try_advisory_xact_lock({DataProtectionKeys.CreationLock})", connection, transaction))
        {
            while (await take.ExecuteScalarAsync(cancellationToken) is not true)
                await Task.Delay(LockPollInterval, cancellationToken); // real time: a test's frozen clock must not stall it
        }

        // Read under the lock: a process that waited here finds the key the one before it made.
        var now = clock.GetUtcNow();
        var usable = keys.GetAllKeys().Where(k => !k.IsRevoked).ToList();
        if (!usable.Any(k => k.ActivationDate <= now && k.ExpirationDate > now))
        {
            keys.CreateNewKey(now, now + Lifetime);
            log.LogInformation("Created the installation's data protection key");
        }
        else if (!usable.Any(k => k.ExpirationDate > now + SuccessorAhead))
        {
            keys.CreateNewKey(now + Propagation, now + Propagation + Lifetime);
            log.LogInformation("Created the successor of the data protection key, active from {Activation:yyyy-MM-dd}", now + Propagation);
        }
        await transaction.CommitAsync(CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_checks is not null)
            await _checks.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stop.Dispose();
}

/// <summary>
/// A key ring read afresh from the database. A process reads its key ring at start and then once a day, so
/// a key another process created since (its own first key, in a race this design prevents, or a successor)
/// would be unknown to it: Data Protection itself only looks again in the first two minutes after start.
/// <see cref="ChannelCredentials"/> asks for a fresh protector when it meets a key id it does not know.
/// </summary>
public sealed class KeyRingReload(IOptions<KeyManagementOptions> configured, IServiceProvider services)
{
    /// <summary>A protector for <paramref name="purpose"/> over every key in the database now. Never creates a key.</summary>
    public IDataProtector Protector(string purpose)
    {
        var fresh = new ServiceCollection();
        fresh.AddLogging();
        if (services.GetService<MasterKey>() is { } masterKey)
            fresh.AddSingleton(masterKey);
        fresh.AddDataProtection().SetApplicationName(DataProtectionKeys.ApplicationName).DisableAutomaticKeyGeneration();
        fresh.Configure<KeyManagementOptions>(o =>
        {
            o.XmlRepository = configured.Value.XmlRepository;
            o.XmlEncryptor = configured.Value.XmlEncryptor;
        });
        // Built once per reload, which is rare; its key ring is all it holds.
        var provider = fresh.BuildServiceProvider();
        return provider.GetRequiredService<IDataProtectionProvider>().CreateProtector(purpose);
    }
}
