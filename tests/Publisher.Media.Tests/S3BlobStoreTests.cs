using System.Security.Cryptography;
using Amazon.S3;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Publisher.Media.Storage;
using Publisher.Testing.Fakes;

namespace Publisher.Media.Tests;

/// <summary>
/// The S3 store against a loopback S3 that checks what S3 checks: every request signed with SigV4 (the signature
/// recomputed with the secret key), the payload hash, the object's name, type and bytes.
/// </summary>
public sealed class S3BlobStoreTests : IAsyncLifetime
{
    private const string Bucket = "publisher-media";
    private const string AccessKey = "AKIAPUBLISHERTEST01";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPUBLISHERKEY";
    private readonly FakeS3 _s3 = new(Bucket, AccessKey, SecretKey, "eu-central-1");
    private readonly string _temp = Directory.CreateTempSubdirectory("publisher-s3-test-").FullName;

    private S3StoreOptions Options(string secretKey = SecretKey) => new()
    {
        ServiceUrl = _s3.BaseUri.AbsoluteUri, Region = "eu-central-1", Bucket = Bucket, AccessKey = AccessKey, SecretKey = secretKey,
        PublicUrl = "https://cdn.shop.example/", Prefix = "media/",
    };

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task A_blob_is_signed_stored_under_its_sha256_and_read_back_whole()
    {
        using var store = new S3BlobStore(Options(), _temp);
        var bytes = Bytes(300_000, 1);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));

        var info = await store.PutAsync(new MemoryStream(bytes), "video/mp4", default);

        Assert.Equal(new BlobInfo(sha256, bytes.Length, "video/mp4"), info);
        var stored = Assert.Single(_s3.Objects);
        Assert.Equal("media/" + sha256, stored.Key);
        Assert.Equal(bytes, stored.Value.Bytes);
        Assert.Equal("video/mp4", stored.Value.ContentType);
        Assert.Equal("public, max-age=31536000, immutable", stored.Value.Headers["Cache-Control"]);
        // What went over the wire: a HEAD (is it there already?) then the PUT, each signed for this key and region,
        // the PUT with the hash of exactly these bytes as its payload hash.
        var put = Assert.Single(_s3.Requests, r => r.Method == "PUT");
        Assert.Equal($"/{Bucket}/media/{sha256}", put.Path);
        Assert.Matches($"^AWS4-HMAC-SHA256 Credential={AccessKey}/\\d{{8}}/eu-central-1/s3/aws4_request, ?SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, ?Signature=[0-9a-f]{{64}}$", put.Header("Authorization"));
        Assert.Equal(sha256, put.Header("x-amz-content-sha256"));
        Assert.Contains(_s3.Requests, r => r.Method == "HEAD" && r.Path == put.Path);

        Assert.Equal(info, await store.GetInfoAsync(sha256, default));
        await using var read = await store.OpenReadAsync(sha256, default);
        Assert.NotNull(read);
        Assert.Equal(bytes.Length, read.Length);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
        Assert.Equal(new Uri($"https://cdn.shop.example/media/{sha256}"), store.PublicAddress(sha256));
    }

    [Fact]
    public async Task The_same_bytes_stored_twice_are_uploaded_once_and_a_delete_removes_them()
    {
        using var store = new S3BlobStore(Options(), _temp);
        var bytes = Bytes(50_000, 2);

        var first = await store.PutAsync(new MemoryStream(bytes), "image/png", default);
        var second = await store.PutAsync(new MemoryStream(bytes), "image/png", default);

        Assert.Equal(first, second);
        Assert.Equal(1, _s3.PostCount);
        Assert.True(await store.DeleteAsync(first.Sha256, default));
        Assert.Empty(_s3.Objects);
        Assert.False(await store.DeleteAsync(first.Sha256, default));
        Assert.Null(await store.GetInfoAsync(first.Sha256, default));
        Assert.Null(await store.OpenReadAsync(first.Sha256, default));
    }

    [Fact]
    public async Task A_wrong_secret_key_is_refused_by_the_signature_check_and_nothing_is_stored()
    {
        using var store = new S3BlobStore(Options(secretKey: "not-the-secret-key-at-all-000000000000000"), _temp);

        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => store.PutAsync(new MemoryStream(Bytes(1_000, 3)), "image/jpeg", default));

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Empty(_s3.Objects);
        Assert.Empty(Directory.GetFiles(_temp));
    }

    [Fact]
    public async Task Names_that_are_not_a_sha256_never_reach_the_store()
    {
        using var store = new S3BlobStore(Options(), _temp);

        Assert.Null(await store.GetInfoAsync("../../etc/passwd", default));
        Assert.Null(await store.OpenReadAsync("ABC", default));
        Assert.Null(store.PublicAddress("not-a-hash"));
        Assert.Empty(_s3.Requests);
    }

    [Fact]
    public void Media_Store_chooses_the_S3_store_its_settings_must_be_complete_and_Postgres_is_the_default()
    {
        static ServiceProvider Services(Dictionary<string, string?> settings)
        {
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
            services.AddMedia(_ => "Host=127.0.0.1;Database=unused");
            return services.BuildServiceProvider();
        }

        using (var s3 = Services(new()
        {
            ["Media:Store"] = "S3", ["Media:S3:ServiceUrl"] = _s3.BaseUri.AbsoluteUri, ["Media:S3:Bucket"] = Bucket,
            ["Media:S3:AccessKey"] = AccessKey, ["Media:S3:SecretKey"] = SecretKey,
        }))
            Assert.IsType<S3BlobStore>(s3.GetRequiredService<IBlobStore>());
        using (var postgres = Services([]))
            Assert.IsType<PostgresBlobStore>(postgres.GetRequiredService<IBlobStore>());
        using var incomplete = Services(new() { ["Media:Store"] = "S3", ["Media:S3:Bucket"] = Bucket });
        Assert.Throws<OptionsValidationException>(() => incomplete.GetRequiredService<IBlobStore>());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _s3.DisposeAsync();
        Directory.Delete(_temp, recursive: true);
    }
}
