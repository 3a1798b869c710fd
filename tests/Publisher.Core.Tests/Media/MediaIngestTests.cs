using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Publisher.Core.Domain;
using Publisher.Core.Media;
using Publisher.Media;
using Publisher.Media.Inspection;
using Publisher.Media.Processing;
using Publisher.Media.Storage;
using Publisher.Testing;

namespace Publisher.Core.Tests.Media;

/// <summary>
/// Taking an upload in: once its bytes start going into the store, a client that goes away (the request's token
/// cancelled) must not leave stored blobs that no asset names: the asset is recorded whole.
/// </summary>
[Collection(PostgresCollection.Name)]
public class MediaIngestTests(PostgresServer postgres)
{
    /// <summary>A store in memory that honours cancellation as a real one does, and cancels the request at its first write.</summary>
    private sealed class LeavingClientStore(CancellationTokenSource request) : IBlobStore
    {
        public ConcurrentDictionary<string, byte[]> Blobs { get; } = new();

        public async Task<BlobInfo> PutAsync(Stream content, string contentType, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy, cancellationToken);
            var sha = DerivativeMaker.Sha256(copy.ToArray());
            Blobs[sha] = copy.ToArray();
            await request.CancelAsync();
            return new BlobInfo(sha, copy.Length, contentType);
        }

        public Task<BlobInfo?> GetInfoAsync(string sha256, CancellationToken cancellationToken) =>
            Task.FromResult(Blobs.TryGetValue(sha256, out var b) ? new BlobInfo(sha256, b.Length, "application/octet-stream") : null);

        public Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken) =>
            Task.FromResult<Stream?>(Blobs.TryGetValue(sha256, out var b) ? new MemoryStream(b) : null);

        public Task<bool> DeleteAsync(string sha256, CancellationToken cancellationToken) => Task.FromResult(Blobs.TryRemove(sha256, out _));

        public Uri? PublicAddress(string sha256) => null;
    }

    [Fact]
    public async Task A_client_that_goes_away_once_storing_has_begun_leaves_a_whole_asset_not_blobs_nobody_names()
    {
        var database = await postgres.CreateMigratedDatabaseAsync("ingest");
        await using var db = PostgresServer.NewContext(database);
        var user = new AppUser { UserName = $"u{Guid.NewGuid():N}", Email = $"{Guid.NewGuid():N}@example.test", DisplayName = "Writer" };
        db.Users.Add(user);
        await db.SaveChangesAsync();

        var path = Path.Combine(Path.GetTempPath(), $"publisher-ingest-{Guid.NewGuid():N}.jpg");
        using (var noise = NetVips.Image.Gaussnoise(900, 600, sigma: 40, mean: 120))
        using (var rgb = noise.Bandjoin(noise, noise).Cast(NetVips.Enums.BandFormat.Uchar).Copy(interpretation: NetVips.Enums.Interpretation.Srgb))
            rgb.Jpegsave(path, q: 90);
        try
        {
            using var request = new CancellationTokenSource();
            var store = new LeavingClientStore(request);
            var options = new MediaOptions();
            var video = new VideoTools();
            var library = new MediaLibrary(db, store, new MediaInspector(options, video), new DerivativeMaker(), video, Options.Create(options), TimeProvider.System);

            var result = await library.IngestAsync(path, MediaTypes.Jpeg, "Harbour.jpg", user.Id, request.Token);

            Assert.True(request.IsCancellationRequested);
            Assert.NotNull(result.Asset);
            await using var check = PostgresServer.NewContext(database);
            var asset = await check.MediaAssets.AsNoTracking().SingleAsync(a => a.Id == result.Asset!.Id);
            var named = (await check.MediaDerivatives.AsNoTracking().Where(d => d.AssetId == asset.Id).Select(d => d.Sha256).ToListAsync())
                .Append(asset.Sha256).ToHashSet();
            Assert.True(named.Count > 1);
            Assert.Equal(named.Order(), store.Blobs.Keys.Order());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
