using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Publisher.Core;
using Publisher.Core.Publishing;
using Publisher.Testing;

namespace Publisher.Publishing.Tests;

[Collection(PostgresCollection.Name)]
public class CredentialEncryptionTests(PostgresServer postgres)
{
    [Fact]
    public async Task Credentials_are_encrypted_and_the_keys_in_PostgreSQL_are_wrapped_by_the_master_key()
    {
        var key = MasterKey.Generate();
        await using var h = await PublishingHarness.StartAsync(postgres, new Dictionary<string, string?> { ["PUBLISHER_MASTER_KEY"] = key });
        var credentials = h.Services.GetRequiredService<ChannelCredentials>();

        var stored = await h.QueryAsync(db => db.ChannelAccounts.Select(a => a.EncryptedCredentials!));
        Assert.DoesNotContain("secret-token", stored[0]);
        Assert.Equal("secret-token", credentials.Unprotect(stored[0])["access_token"]);

        var keys = await h.QueryAsync(db => db.DataProtectionKeys.Select(k => k.Xml!));
        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.Contains("encryptedKey", xml);
            Assert.Contains("MasterKeyXmlDecryptor", xml);
            Assert.DoesNotContain("<masterKey", xml); // the raw key material is not in the database
        });

        // The same database with the same master key (a second worker) decrypts.
        await using var sameKey = await OtherProcessAsync(h.ConnectionString, key);
        Assert.Equal("secret-token", sameKey.GetRequiredService<ChannelCredentials>().Unprotect(stored[0])["access_token"]);

        // With another master key, or none, the keys cannot be read and the error says what to set.
        await using var wrongKey = await OtherProcessAsync(h.ConnectionString, MasterKey.Generate());
        var wrong = Assert.ThrowsAny<CryptographicException>(() => wrongKey.GetRequiredService<ChannelCredentials>().Unprotect(stored[0]));
        await using var noKey = await OtherProcessAsync(h.ConnectionString, null);
        Assert.ThrowsAny<CryptographicException>(() => noKey.GetRequiredService<ChannelCredentials>().Unprotect(stored[0]));
        Assert.NotNull(wrong);
    }

    [Fact]
    public void A_malformed_master_key_is_refused_with_how_to_make_one()
    {
        var notBase64 = Assert.Throws<InvalidOperationException>(() => MasterKey.FromConfiguration("not base64!"));
        var tooShort = Assert.Throws<InvalidOperationException>(() => MasterKey.FromConfiguration(Convert.ToBase64String(new byte[16])));
        Assert.Contains("openssl rand -base64 32", notBase64.Message);
        Assert.Contains("must be 32 bytes", tooShort.Message);
        Assert.Null(MasterKey.FromConfiguration(" "));
    }

    [Fact]
    public void The_master_key_file_is_created_once_readable_by_its_owner_only()
    {
        var folder = Path.Combine(Path.GetTempPath(), "publisher-key-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(folder, "master.key");
        try
        {
            var first = MasterKey.LoadOrCreateFile(path);
            var second = MasterKey.LoadOrCreateFile(path);
            Assert.Equal(first, second);
            Assert.NotNull(MasterKey.FromConfiguration(first));
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_web_app_and_a_worker_started_at_the_same_instant_on_an_empty_database_share_one_key_every_time()
    {
        for (var round = 1; round <= 12; round++)
        {
            var connectionString = await postgres.CreateMigratedDatabaseAsync("keyrace");
            var masterKey = MasterKey.Generate();
            using var web = NewHost(connectionString, masterKey);
            using var worker = NewHost(connectionString, masterKey);
            using var ready = new Barrier(2);
            await Task.WhenAll(
                Task.Run(async () => { ready.SignalAndWait(); await web.StartAsync(); }),
                Task.Run(async () => { ready.SignalAndWait(); await worker.StartAsync(); }));

            var webCredentials = web.Services.GetRequiredService<ChannelCredentials>();
            var workerCredentials = worker.Services.GetRequiredService<ChannelCredentials>();
            var savedByWeb = webCredentials.Protect(new Dictionary<string, string> { ["access_token"] = $"web-{round}" });
            var savedByWorker = workerCredentials.Protect(new Dictionary<string, string> { ["access_token"] = $"worker-{round}" });
            Assert.Equal($"web-{round}", workerCredentials.Unprotect(savedByWeb)["access_token"]);
            Assert.Equal($"worker-{round}", webCredentials.Unprotect(savedByWorker)["access_token"]);
            Assert.Equal(1L, await PostgresServer.ScalarAsync<long>(connectionString, """SELECT count(*) FROM "DataProtectionKeys" """));
            await Task.WhenAll(web.StopAsync(), worker.StopAsync());
        }
    }

    [Fact]
    public async Task A_credential_protected_with_a_key_this_process_has_not_read_is_decrypted_after_reading_the_key_ring_again()
    {
        var masterKey = MasterKey.Generate();
        await using var h = await PublishingHarness.StartAsync(postgres, new Dictionary<string, string?> { ["PUBLISHER_MASTER_KEY"] = masterKey });
        // A process that read the key ring before another key was made, and (past Data Protection's first two
        // minutes) would not read it again by itself.
        var known = (await h.QueryAsync(db => db.DataProtectionKeys.Select(k => k.Xml!))).Select(XElement.Parse).ToList();
        await using var stale = FrozenKeyRing(known, masterKey);
        // Another process makes a key and saves a credential with it.
        var now = DateTimeOffset.UtcNow;
        h.Services.GetRequiredService<IKeyManager>().CreateNewKey(now, now.AddDays(90));
        var made = (await h.QueryAsync(db => db.DataProtectionKeys.Select(k => k.Xml!))).Select(XElement.Parse)
            .Where(k => known.All(old => old.Attribute("id")!.Value != k.Attribute("id")!.Value)).ToList();
        await using var other = FrozenKeyRing(made, masterKey);
        var saved = new ChannelCredentials(other.GetRequiredService<IDataProtectionProvider>(), h.Services.GetRequiredService<KeyRingReload>(), TimeProvider.System)
            .Protect(new Dictionary<string, string> { ["access_token"] = "made-with-the-new-key" });

        var neverReloading = new ChannelCredentials(stale.GetRequiredService<IDataProtectionProvider>(),
            new KeyRingReload(stale.GetRequiredService<IOptions<KeyManagementOptions>>(), stale), TimeProvider.System);
        Assert.ThrowsAny<CryptographicException>(() => neverReloading.Unprotect(saved));
        var reloading = new ChannelCredentials(stale.GetRequiredService<IDataProtectionProvider>(), h.Services.GetRequiredService<KeyRingReload>(), TimeProvider.System);
        Assert.Equal("made-with-the-new-key", reloading.Unprotect(saved)["access_token"]);
    }

    /// <summary>A process configured as the web app or the worker is: the core services and their hosted services.</summary>
    private static IHost NewHost(string connectionString, string masterKey)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["PUBLISHER_DB"] = connectionString, ["PUBLISHER_MASTER_KEY"] = masterKey });
        builder.Services.AddCore(builder.Configuration);
        return builder.Build();
    }

    /// <summary>Data Protection over a fixed set of keys: however often it reads its key ring, it finds only these.</summary>
    private static ServiceProvider FrozenKeyRing(IReadOnlyList<XElement> keys, string masterKey)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(MasterKey.FromConfiguration(masterKey)!);
        services.AddDataProtection().SetApplicationName(DataProtectionKeys.ApplicationName).DisableAutomaticKeyGeneration();
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new FrozenRepository(keys));
        return services.BuildServiceProvider();
    }

    private sealed class FrozenRepository(IReadOnlyList<XElement> keys) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements() => keys;

        public void StoreElement(XElement element, string friendlyName) => throw new InvalidOperationException("This key ring is frozen.");
    }

    private static Task<ServiceProvider> OtherProcessAsync(string connectionString, string? masterKey)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PUBLISHER_DB"] = connectionString,
            ["PUBLISHER_MASTER_KEY"] = masterKey,
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        Core.CoreServiceCollectionExtensions.AddCore(services, configuration);
        return Task.FromResult(services.BuildServiceProvider());
    }
}
