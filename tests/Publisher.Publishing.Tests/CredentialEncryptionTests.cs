using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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
