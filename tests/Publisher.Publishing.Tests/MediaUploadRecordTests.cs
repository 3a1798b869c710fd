using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;
using Publisher.Media;
using Publisher.Media.Storage;
using Publisher.Testing;
using Publisher.Worker.Channels;

namespace Publisher.Publishing.Tests;

/// <summary>The job hands each client the variant's media from the blob store, and what an attempt uploaded to the next one.</summary>
[Collection(PostgresCollection.Name)]
public class MediaUploadRecordTests(PostgresServer postgres) : IAsyncLifetime
{
    private PublishingHarness _h = null!;

    public async Task InitializeAsync() => _h = await PublishingHarness.StartAsync(postgres);

    public async Task DisposeAsync() => await _h.DisposeAsync();

    /// <summary>A variant due now with one stored image attached, approved as it stands (the hash covers the image).</summary>
    private async Task<(Guid VariantId, string Key, byte[] Bytes)> VariantWithImageAsync()
    {
        byte[] bytes = [0xFF, 0xD8, 0xFF, 0xE0, .. Enumerable.Range(0, 2000).Select(i => (byte)(i * 7))];
        var blob = await _h.Services.GetRequiredService<IBlobStore>().PutAsync(new MemoryStream(bytes), "image/jpeg", CancellationToken.None);
        var id = await _h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddSeconds(-1), tweak: v =>
        {
            v.Media = [new VariantMedia
            {
                Key = blob.Sha256, Kind = MediaKind.Image, ContentType = "image/jpeg", Length = blob.Length, Width = 640, Height = 360,
                AltText = "Sacks of green coffee beans in the roastery", FileName = "beans.jpg", FocalX = 0.5, FocalY = 0.25,
            }];
            v.ContentHash = ContentHash.Of(v);
        });
        var hash = (await _h.LoadAsync(id)).ContentHash;
        await _h.DbAsync(db => db.Approvals.Where(a => a.VariantId == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.ContentHash, hash)));
        return (id, blob.Sha256, bytes);
    }

    [Fact]
    public async Task A_retry_is_handed_what_the_failed_attempt_uploaded_and_the_media_read_from_the_store()
    {
        var (id, key, bytes) = await VariantWithImageAsync();
        var expires = DateTimeOffset.UtcNow.AddHours(20);
        _h.Client.Then(async (request, progress, token) =>
        {
            await progress.MediaUploadedAsync(request.Media[0].Key, "network-media-7", expires, token);
            return ScriptedChannelClient.Failure(PublishOutcome.Transient, 503, "Service unavailable");
        });

        await _h.RunJobAsync(id);
        await _h.DueNowAsync(id);
        await _h.RunJobAsync(id);

        Assert.Equal(VariantState.Published, (await _h.LoadAsync(id)).State);
        var (first, retry) = (_h.Client.Calls[0], _h.Client.Calls[1]);
        Assert.Empty(first.UploadedMedia);
        var medium = Assert.Single(retry.Media);
        Assert.Equal(key, medium.Key);
        Assert.Equal(PublishMediaKind.Image, medium.Kind);
        Assert.Equal("Sacks of green coffee beans in the roastery", medium.AltText);
        Assert.Equal(new MediaFocalPoint(0.5, 0.25), medium.FocalPoint);
        await using (var stream = await medium.OpenAsync(CancellationToken.None))
        using (var copy = new MemoryStream())
        {
            await stream.CopyToAsync(copy);
            Assert.Equal(bytes, copy.ToArray());
        }
        var reused = retry.UploadedMedia[key];
        Assert.Equal("network-media-7", reused.NetworkMediaId);
        Assert.Equal(expires.ToUnixTimeMilliseconds(), reused.ExpiresAt!.Value.ToUnixTimeMilliseconds());
        // Recorded with the attempt that uploaded it.
        var firstAttempt = (await _h.LoadAsync(id)).PublishAttempts.Single(a => a.Number == 1);
        Assert.Equal(firstAttempt.Id, Assert.Single(await _h.QueryAsync(db => db.MediaUploads.Where(u => u.VariantId == id))).AttemptId);
    }

    [Fact]
    public async Task An_upload_recorded_by_a_post_that_then_ran_out_of_time_survives_for_the_next_attempt()
    {
        var (id, key, _) = await VariantWithImageAsync();
        _h.Client.Then(async (request, progress, token) =>
        {
            await progress.MediaUploadedAsync(request.Media[0].Key, "network-media-9", null, token);
            // The network then takes longer than the request timeout: the attempt ends, cancelled.
            await Task.Delay(Timeout.Infinite, token);
            return PublishResult.Published("never", null);
        });

        await _h.RunJobAsync(id);
        var variant = await _h.LoadAsync(id);
        Assert.NotEqual(VariantState.Published, variant.State);
        Assert.Equal("network-media-9", Assert.Single(await _h.QueryAsync(db => db.MediaUploads.Where(u => u.VariantId == id && u.MediaKey == key))).NetworkMediaId);
    }
}
