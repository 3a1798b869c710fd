using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Publisher.Core.Domain;
using Publisher.Templates.Bluesky;
using Publisher.Templates.Channels;
using Publisher.Testing;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.Bluesky;

namespace Publisher.Worker.Tests.Channels.Bluesky;

/// <summary>
/// What the Bluesky client must do, run against our fake and against Bluesky's own PDS. Every post is read back
/// from the server with getRecord and its text, facets and reply references compared with what was approved.
/// </summary>
public abstract class BlueskyClientContract(IBlueskyTestServer server) : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly HttpClient Reader = new();
    private readonly BlueskyClient _client = ChannelKit.Client<BlueskyClient>();

    protected IBlueskyTestServer Server => server;

    private ChannelConnection Connection => ChannelKit.Connection(ChannelKind.Bluesky, server.Front.BaseUri, server.Credentials);

    /// <summary>Facets as the composer stores them: one array per part, serialized with web defaults.</summary>
    private static string FacetsJson(params string[] parts) =>
        JsonSerializer.Serialize(parts.Select(p => BlueskyFacets.Extract(p)), Web);

    private static string Key() => "variant-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Signing_in_names_the_account()
    {
        var check = await _client.TestConnectionAsync(Connection, CancellationToken.None);

        Assert.True(check.Ok, check.Message);
        Assert.Equal($"Signed in to Bluesky as @{server.Handle}.", check.Message);
    }

    [Fact]
    public async Task A_post_with_a_link_a_mention_and_a_tag_is_stored_as_approved_under_its_derived_key()
    {
        var (mention, mentionDid) = server.Mentionable;
        var text = $"Herbst-Sale 🍂 mit @{mention}: example.com/sale #AutumnSale";
        var key = Key();
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(ChannelKit.Request(Connection, text, key: key, facetsJson: FacetsJson(text)), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var rkey = BlueskyRecordKey.For(key, 0);
        Assert.Equal($"at://{server.Did}/app.bsky.feed.post/{rkey}", result.ExternalId);
        Assert.Equal($"https://bsky.app/profile/{server.Handle}/post/{rkey}", result.ExternalUrl);
        var stored = await ReadBackAsync(Assert.Single(progress.Ids));
        AssertStoredAsApproved(stored, text, Facets(text,
            ($"@{mention}", new JsonObject { ["$type"] = "app.bsky.richtext.facet#mention", ["did"] = mentionDid }),
            ("example.com/sale", new JsonObject { ["$type"] = "app.bsky.richtext.facet#link", ["uri"] = "https://example.com/sale" }),
            ("#AutumnSale", new JsonObject { ["$type"] = "app.bsky.richtext.facet#tag", ["tag"] = "AutumnSale" })));
        Assert.False(stored.Value.TryGetProperty("reply", out _));
    }

    [Fact]
    public async Task Cashtags_and_fullwidth_tags_go_out_as_tag_facets_and_short_links_with_their_full_address()
    {
        var post = BlueskyFacets.Prepare("Buy $nwnd and \uFF03coffee at https://example.com/a/very/long/path?utm_source=bluesky");
        var progress = new RecordingProgress();

        await _client.PublishAsync(ChannelKit.Request(Connection, post.Text, facetsJson: JsonSerializer.Serialize(new[] { post.Facets }, Web)), progress, CancellationToken.None);

        AssertStoredAsApproved(await ReadBackAsync(Assert.Single(progress.Ids)), post.Text, Facets(post.Text,
            ("$nwnd", new JsonObject { ["$type"] = "app.bsky.richtext.facet#tag", ["tag"] = "$NWND" }),
            ("\uFF03coffee", new JsonObject { ["$type"] = "app.bsky.richtext.facet#tag", ["tag"] = "coffee" }),
            (post.Links.Single().Display, new JsonObject { ["$type"] = "app.bsky.richtext.facet#link", ["uri"] = "https://example.com/a/very/long/path?utm_source=bluesky" })));
    }

    [Fact]
    public async Task A_mention_of_a_handle_the_server_cannot_resolve_stays_plain_text()
    {
        const string text = "Thanks @nobody-here.test for the photos #thanks";
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(ChannelKit.Request(Connection, text, facetsJson: FacetsJson(text)), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        AssertStoredAsApproved(await ReadBackAsync(Assert.Single(progress.Ids)), text,
            Facets(text, ("#thanks", new JsonObject { ["$type"] = "app.bsky.richtext.facet#tag", ["tag"] = "thanks" })));
    }

    [Fact]
    public async Task Facets_that_no_longer_fit_the_text_are_left_out_instead_of_sent()
    {
        // Rendered for a longer text, then the variant was edited by hand: the ranges point past the end.
        var stale = FacetsJson("A much longer rendering with a link at the end: example.com/sale #AutumnSale");
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(ChannelKit.Request(Connection, "Short edit.", facetsJson: stale), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        AssertStoredAsApproved(await ReadBackAsync(Assert.Single(progress.Ids)), "Short edit.", null);
    }

    [Fact]
    public async Task A_thread_points_every_reply_at_the_root_and_its_parent()
    {
        string[] parts = ["1/3 Our autumn sale starts today #AutumnSale", "2/3 Everything 20% off: example.com/sale", "3/3 Until Sunday 🍂"];
        var progress = new RecordingProgress();
        var key = Key();

        var result = await _client.PublishAsync(ChannelKit.Request(Connection, thread: parts, key: key, facetsJson: FacetsJson(parts)), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Equal(3, progress.Ids.Count);
        Assert.Equal(Enumerable.Range(0, 3).Select(i => $"at://{server.Did}/app.bsky.feed.post/{BlueskyRecordKey.For(key, i)}"), progress.Ids.Select(id => id.Split('|')[0]));
        var stored = new List<StoredRecord>();
        foreach (var id in progress.Ids) stored.Add(await ReadBackAsync(id));
        AssertStoredAsApproved(stored[0], parts[0], Facets(parts[0], ("#AutumnSale", new JsonObject { ["$type"] = "app.bsky.richtext.facet#tag", ["tag"] = "AutumnSale" })));
        AssertStoredAsApproved(stored[1], parts[1], Facets(parts[1], ("example.com/sale", new JsonObject { ["$type"] = "app.bsky.richtext.facet#link", ["uri"] = "https://example.com/sale" })), root: stored[0], parent: stored[0]);
        AssertStoredAsApproved(stored[2], parts[2], null, root: stored[0], parent: stored[1]);
        Assert.Equal(stored[0].Uri, result.ExternalId);
    }

    [Fact]
    public async Task A_thread_resumes_from_the_posted_uri_and_cid()
    {
        var request = ChannelKit.Request(Connection, thread: ["1/2 a", "2/2 b"], key: Key());
        // An earlier attempt that got as far as the first part, under the same key.
        var earlier = new RecordingProgress();
        await _client.PublishAsync(request with { ThreadParts = ["1/2 a"] }, earlier, CancellationToken.None);
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(request with { PostedPartIds = earlier.Ids }, progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var root = await ReadBackAsync(Assert.Single(earlier.Ids));
        Assert.Equal(root.Uri, result.ExternalId);
        AssertStoredAsApproved(await ReadBackAsync(Assert.Single(progress.Ids)), "2/2 b", null, root: root, parent: root);
        Assert.Equal(2, server.Front.PostCount);
    }

    [Fact]
    public async Task Reconcile_finds_a_post_that_went_out_before_the_connection_broke()
    {
        var request = ChannelKit.Request(Connection, key: Key());
        server.Front.AbortNext(1, afterHandling: true, "createRecord");

        var interrupted = await _client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);
        var verdict = await _client.ReconcileAsync(request, CancellationToken.None);

        Assert.Equal(PublishOutcome.Unknown, interrupted.Outcome);
        Assert.Equal(ReconcileVerdict.Published, verdict.Verdict);
        Assert.Equal($"at://{server.Did}/app.bsky.feed.post/{BlueskyRecordKey.For(request.IdempotencyKey, 0)}", verdict.ExternalId);
        Assert.Equal(request.Text, (await ReadBackAsync(verdict.ExternalId!)).Text);
        Assert.Equal(1, server.Front.PostCount);
    }

    [Fact]
    public async Task A_post_the_server_finished_after_the_worker_died_is_found_by_reconcile()
    {
        var request = ChannelKit.Request(Connection, key: Key());
        server.Front.HoldRequests("createRecord");
        using var worker = new CancellationTokenSource();

        var publishing = _client.PublishAsync(request, new RecordingProgress(), worker.Token);
        await server.Front.WaitForHeldAsync();
        await worker.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publishing);
        server.Front.ReleaseHeld();
        await Poll.UntilAsync(() => server.Front.PostCount == 1, TimeSpan.FromMinutes(1));
        var verdict = await _client.ReconcileAsync(request, CancellationToken.None);

        Assert.Equal(ReconcileVerdict.Published, verdict.Verdict);
        Assert.Equal($"at://{server.Did}/app.bsky.feed.post/{BlueskyRecordKey.For(request.IdempotencyKey, 0)}", verdict.ExternalId);
        Assert.Equal(request.Text, (await ReadBackAsync(verdict.ExternalId!)).Text);
    }

    [Fact]
    public async Task Reconcile_of_a_post_that_never_arrived_is_safe_to_retry_and_the_retry_posts_once()
    {
        var request = ChannelKit.Request(Connection, key: Key());
        server.Front.AbortNext(1, afterHandling: false, "createRecord");

        var interrupted = await _client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);
        var verdict = await _client.ReconcileAsync(request, CancellationToken.None);
        var progress = new RecordingProgress();
        var retried = await _client.PublishAsync(request, progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Unknown, interrupted.Outcome);
        Assert.Equal(ReconcileVerdict.SafeToRetry, verdict.Verdict);
        Assert.Equal(PublishOutcome.Published, retried.Outcome);
        AssertStoredAsApproved(await ReadBackAsync(Assert.Single(progress.Ids)), request.Text, null);
        Assert.Equal(1, server.Front.PostCount);
    }

    [Fact]
    public async Task Publishing_the_same_request_again_finds_its_post_at_the_key_instead_of_making_a_second()
    {
        var request = ChannelKit.Request(Connection, key: Key());
        var firstProgress = new RecordingProgress();
        var first = await _client.PublishAsync(request, firstProgress, CancellationToken.None);
        var secondProgress = new RecordingProgress();

        // A later attempt that never heard of the first (its progress was lost), with a new createdAt.
        var second = await _client.PublishAsync(request, secondProgress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, first.Outcome);
        Assert.Equal(PublishOutcome.Published, second.Outcome);
        Assert.Equal(first.ExternalId, second.ExternalId);
        Assert.Equal(firstProgress.Ids, secondProgress.Ids);
        // The second write reached the server, which refused it (a 500: the key is taken) and kept the first.
        Assert.Equal(2, server.Front.Requests.Count(r => r.Path.EndsWith("createRecord", StringComparison.Ordinal)));
        Assert.Equal(1, server.Front.PostCount);
        AssertStoredAsApproved(await ReadBackAsync(firstProgress.Ids[0]), request.Text, null);
    }

    [Fact]
    public async Task A_thread_whose_answer_was_lost_mid_way_continues_from_the_part_found_at_its_key()
    {
        string[] parts = ["1/3 a", "2/3 b", "3/3 c"];
        var request = ChannelKit.Request(Connection, thread: parts, key: Key());
        var firstAttempt = new RecordingProgress();
        await _client.PublishAsync(request with { ThreadParts = ["1/3 a"] }, firstAttempt, CancellationToken.None);
        // Part 2 is written, but its answer never arrives: the job knows only part 1 went out.
        server.Front.AbortNext(1, afterHandling: true, "createRecord");
        var lost = await _client.PublishAsync(request with { PostedPartIds = firstAttempt.Ids }, new RecordingProgress(), CancellationToken.None);
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(request with { PostedPartIds = firstAttempt.Ids }, progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Unknown, lost.Outcome);
        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Equal(3, server.Front.PostCount);
        Assert.Equal(2, progress.Ids.Count);
        var root = await ReadBackAsync(firstAttempt.Ids[0]);
        var second = await ReadBackAsync(progress.Ids[0]);
        AssertStoredAsApproved(second, "2/3 b", null, root: root, parent: root);
        AssertStoredAsApproved(await ReadBackAsync(progress.Ids[1]), "3/3 c", null, root: root, parent: second);
    }

    [Fact]
    public async Task A_wrong_app_password_is_permanent_with_Blueskys_message()
    {
        var connection = Connection with { Credentials = new Dictionary<string, string> { ["identifier"] = server.Handle, ["app_password"] = "wrong-wrong-wrong-wrong" } };

        var result = await _client.PublishAsync(ChannelKit.Request(connection), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Equal(401, result.HttpStatus);
        Assert.Equal("Bluesky answered 401: Invalid identifier or password", result.Detail);
        Assert.Equal(0, server.Front.PostCount);
    }

    [Fact]
    public async Task One_session_serves_several_posts_and_an_expired_one_is_refreshed_without_signing_in_again()
    {
        var first = await _client.PublishAsync(ChannelKit.Request(Connection, "one"), new RecordingProgress(), CancellationToken.None);
        var second = await _client.PublishAsync(ChannelKit.Request(Connection, "two"), new RecordingProgress(), CancellationToken.None);
        await server.ExpireSessionsAsync();
        var progress = new RecordingProgress();
        var third = await _client.PublishAsync(ChannelKit.Request(Connection, "three"), progress, CancellationToken.None);
        var fourth = await _client.PublishAsync(ChannelKit.Request(Connection, "four"), new RecordingProgress(), CancellationToken.None);

        Assert.All(new[] { first, second, third, fourth }, r => Assert.Equal(PublishOutcome.Published, r.Outcome));
        Assert.Equal(1, Calls("createSession"));
        Assert.Equal(1, Calls("refreshSession"));
        var writes = server.Front.Requests.Where(r => r.Path.EndsWith("createRecord", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, writes.Count); // one, two, three with the expired token, three again, four with the renewed one
        Assert.Equal(writes[2].Body, writes[3].Body);
        Assert.NotEqual(writes[2].Header("Authorization"), writes[3].Header("Authorization"));
        Assert.Equal(writes[3].Header("Authorization"), writes[4].Header("Authorization"));
        AssertStoredAsApproved(await ReadBackAsync(Assert.Single(progress.Ids)), "three", null);
        Assert.Equal(4, server.Front.PostCount);
    }

    [Fact]
    public async Task When_the_refresh_token_has_expired_too_the_client_signs_in_again()
    {
        var first = await _client.PublishAsync(ChannelKit.Request(Connection, "one"), new RecordingProgress(), CancellationToken.None);
        await server.ExpireSessionsAsync(refreshTokensToo: true);
        var progress = new RecordingProgress();

        var second = await _client.PublishAsync(ChannelKit.Request(Connection, "two"), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, first.Outcome);
        Assert.Equal(PublishOutcome.Published, second.Outcome);
        Assert.Equal(1, Calls("refreshSession"));
        Assert.Equal(2, Calls("createSession"));
        AssertStoredAsApproved(await ReadBackAsync(Assert.Single(progress.Ids)), "two", null);
    }

    [Fact]
    public async Task Signing_in_too_often_meets_the_servers_rate_limit_and_waits_for_its_reset()
    {
        // createSession allows 30 tries per identifier in 5 minutes; an identifier of its own keeps other tests clear of it.
        var identifier = $"limited-{Guid.NewGuid():N}"[..20] + ".test";
        var connection = Connection with { Credentials = new Dictionary<string, string> { ["identifier"] = identifier, ["app_password"] = "wrong-wrong-wrong-wrong" } };
        for (var i = 0; i < 30; i++)
        {
            var check = await _client.TestConnectionAsync(connection, CancellationToken.None);
            Assert.Equal("Bluesky answered 401: Invalid identifier or password", check.Message);
        }
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow + server.ClockOffset);
        var client = ChannelKit.Client<BlueskyClient>(clock);

        var result = await client.PublishAsync(ChannelKit.Request(connection), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
        Assert.Equal(429, result.HttpStatus);
        Assert.Equal("Bluesky answered 429: Rate Limit Exceeded", result.Detail);
        Assert.InRange(result.RetryAfter ?? TimeSpan.Zero, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task Images_are_stored_with_the_approved_alt_text_aspect_ratio_and_the_exact_bytes_uploaded()
    {
        var wide = TestMedia.Jpeg(320, 180);
        var square = TestMedia.Png(200, 200, alt: "Das Logo: ein Blatt im Kreis 🍂, „grün“");
        const string text = "New in the shop 🍂";
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(ChannelKit.Request(Connection, text) with { Media = [wide, square] }, progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var stored = await ReadBackAsync(Assert.Single(progress.Ids));
        AssertStoredAsApproved(stored, text, null);
        var expected = new JsonObject
        {
            ["$type"] = "app.bsky.embed.images",
            ["images"] = new JsonArray(await ImageEmbedAsync(wide), await ImageEmbedAsync(square)),
        };
        AssertEmbed(stored, expected);
        var images = stored.Value.GetProperty("embed").GetProperty("images");
        Assert.Equal(Encoding.UTF8.GetBytes(square.AltText!), Encoding.UTF8.GetBytes(images[1].GetProperty("alt").GetString()!));
        // The server serves back exactly the bytes that were approved (the derivative's SHA-256 is its key).
        foreach (var medium in new[] { wide, square })
            Assert.Equal(await TestMedia.BytesAsync(medium), await ReadBlobAsync(FakeBlueskyPds.BlobCid(await TestMedia.BytesAsync(medium)), medium.ContentType));
    }

    [Fact]
    public async Task A_video_is_stored_as_a_video_embed_with_its_alt_text_aspect_ratio_and_blob()
    {
        var video = TestMedia.Mp4(300_000);
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(ChannelKit.Request(Connection, "A tour of the shop") with { Media = [video] }, progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var bytes = await TestMedia.BytesAsync(video);
        AssertEmbed(await ReadBackAsync(Assert.Single(progress.Ids)), new JsonObject
        {
            ["$type"] = "app.bsky.embed.video",
            ["video"] = Blob(bytes, "video/mp4"),
            ["aspectRatio"] = new JsonObject { ["width"] = 1280, ["height"] = 720 },
            ["alt"] = video.AltText,
        });
        Assert.Equal(bytes, await ReadBlobAsync(FakeBlueskyPds.BlobCid(bytes), "video/mp4"));
    }

    [Fact]
    public async Task A_link_card_is_stored_with_the_pages_title_description_and_thumb_blob()
    {
        await using var site = new LinkedPageServer();
        using var picture = NetVips.Image.Black(600, 315, bands: 3) + new double[] { 30, 90, 160 };
        var thumb = picture.PngsaveBuffer();
        site.Put("card.png", LinkedPage.Bytes("image/png", thumb));
        site.Put("sale", LinkedPage.Html("""
            <html><head><meta property="og:title" content="Herbst-Sale: 20 % auf alles 🍂">
            <meta property="og:description" content="Jacken, Stiefel &amp; Schals, bis Sonntag.">
            <meta property="og:image" content="/card.png"></head></html>
            """));
        var link = site.Address("sale");
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(ChannelKit.Request(Connection, "Our autumn sale", link: link.AbsoluteUri), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        AssertEmbed(await ReadBackAsync(Assert.Single(progress.Ids)), new JsonObject
        {
            ["$type"] = "app.bsky.embed.external",
            ["external"] = new JsonObject
            {
                ["uri"] = link.AbsoluteUri,
                ["title"] = "Herbst-Sale: 20 % auf alles 🍂",
                ["description"] = "Jacken, Stiefel & Schals, bis Sonntag.",
                ["thumb"] = Blob(thumb, "image/png"),
            },
        });
        Assert.Equal(thumb, await ReadBlobAsync(FakeBlueskyPds.BlobCid(thumb), "image/png"));
    }

    /// <summary>
    /// The card stored when the variant was rendered, as the worker hands it over (<see cref="OutgoingLinkCard"/>):
    /// the page's card with its fitted picture, or the author's words over it with the message's first image.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stored_link_card_is_stored_as_approved_with_its_thumb_and_the_page_is_not_read(bool edited)
    {
        await using var site = new LinkedPageServer();
        site.Put("sale", LinkedPage.Html("""<html><head><meta property="og:title" content="Changed after approval"></head></html>"""));
        var pageThumb = TestMedia.Jpeg(600, 315);
        var attached = TestMedia.Png(400, 300);
        var snapshot = new LinkCardSnapshot
        {
            Uri = "https://pbl.example/r/k7Qa", Page = site.Address("sale").AbsoluteUri, Title = "Herbst-Sale: 20 % auf alles 🍂",
            Description = "Jacken, Stiefel & Schals, bis Sonntag.", FromPage = true, ThumbKey = pageThumb.Key, ThumbContentType = pageThumb.ContentType,
            ThumbLength = pageThumb.Length, ThumbWidth = 600, ThumbHeight = 315,
        };
        var fallback = new LinkCardImage { Key = attached.Key, ContentType = attached.ContentType, Length = attached.Length, Width = 400, Height = 300, FileName = "logo.png" };
        var edit = edited ? new LinkCardEdit { Title = "Unser Sale, unsere Worte", Description = "", Thumb = LinkCardThumb.Attachment } : null;
        var card = OutgoingLinkCard.Of(snapshot, edit, fallback)!;
        var thumb = card.Thumb!.Key == pageThumb.Key ? pageThumb : attached;
        var progress = new RecordingProgress();

        var request = ChannelKit.Request(Connection, "Our autumn sale", link: snapshot.Uri) with
        {
            LinkDestination = snapshot.Page, LinkCardStored = true, StoredLinkCard = new StoredLinkCard(card.Uri, card.Title, card.Description, thumb),
        };
        var result = await _client.PublishAsync(request, progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var bytes = await TestMedia.BytesAsync(thumb);
        AssertEmbed(await ReadBackAsync(Assert.Single(progress.Ids)), new JsonObject
        {
            ["$type"] = "app.bsky.embed.external",
            ["external"] = new JsonObject
            {
                ["uri"] = "https://pbl.example/r/k7Qa",
                ["title"] = edited ? "Unser Sale, unsere Worte" : "Herbst-Sale: 20 % auf alles 🍂",
                ["description"] = edited ? "" : "Jacken, Stiefel & Schals, bis Sonntag.",
                ["thumb"] = Blob(bytes, thumb.ContentType),
            },
        });
        Assert.Equal(bytes, await ReadBlobAsync(FakeBlueskyPds.BlobCid(bytes), thumb.ContentType));
        Assert.Empty(site.Requested);
    }

    [Fact]
    public async Task A_retry_embeds_the_blob_the_failed_attempt_uploaded_without_uploading_it_again()
    {
        var image = TestMedia.Jpeg(300, 400);
        var request = ChannelKit.Request(Connection, "Two tries", key: Key()) with { Media = [image] };
        server.Front.AbortNext(1, afterHandling: false, "createRecord");
        var first = new RecordingProgress();
        Assert.Equal(PublishOutcome.Unknown, (await _client.PublishAsync(request, first, CancellationToken.None)).Outcome);
        var uploaded = Assert.Single(first.Media);
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(request with { UploadedMedia = new Dictionary<string, UploadedMedia> { [image.Key] = new(uploaded.NetworkMediaId, uploaded.ExpiresAt) } }, progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Equal(1, Calls("uploadBlob", "com.atproto.repo."));
        AssertEmbed(await ReadBackAsync(Assert.Single(progress.Ids)), new JsonObject
        {
            ["$type"] = "app.bsky.embed.images",
            ["images"] = new JsonArray(await ImageEmbedAsync(image)),
        });
    }

    [Fact]
    public async Task A_recorded_blob_the_server_no_longer_has_is_uploaded_again_and_the_post_goes_out_once()
    {
        var image = TestMedia.Jpeg(240, 240);
        // What an earlier attempt recorded, for bytes the server has since dropped (or never had).
        var gone = new JsonObject { ["$type"] = "blob", ["ref"] = new JsonObject { ["$link"] = FakeBlueskyPds.BlobCid(Encoding.UTF8.GetBytes("dropped " + Guid.NewGuid())) }, ["mimeType"] = "image/jpeg", ["size"] = image.Length };
        var request = ChannelKit.Request(Connection, "Uploaded again", key: Key()) with
        {
            Media = [image],
            UploadedMedia = new Dictionary<string, UploadedMedia> { [image.Key] = new(gone.ToJsonString(), DateTimeOffset.UtcNow.AddMinutes(4)) },
        };
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(request, progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var writes = server.Front.Requests.Where(r => r.Path.EndsWith("createRecord", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, writes.Count);
        Assert.Contains(gone["ref"]!["$link"]!.GetValue<string>(), writes[0].Body);
        Assert.Equal(1, Calls("uploadBlob", "com.atproto.repo."));
        Assert.Equal(1, server.Front.PostCount);
        Assert.Equal(image.Key, Assert.Single(progress.Media).Key);
        AssertEmbed(await ReadBackAsync(Assert.Single(progress.Ids)), new JsonObject
        {
            ["$type"] = "app.bsky.embed.images",
            ["images"] = new JsonArray(await ImageEmbedAsync(image)),
        });
    }

    /// <summary>A blob object as the server must hold it: named by the CID of exactly these bytes, worked out here.</summary>
    private static JsonObject Blob(byte[] bytes, string mimeType) => new()
    {
        ["$type"] = "blob",
        ["ref"] = new JsonObject { ["$link"] = FakeBlueskyPds.BlobCid(bytes) },
        ["mimeType"] = mimeType,
        ["size"] = bytes.Length,
    };

    /// <summary>One image of an images embed as approved: its alt text, its bytes' blob and its width and height.</summary>
    private static async Task<JsonObject> ImageEmbedAsync(PublishMedia medium) => new()
    {
        ["alt"] = medium.AltText,
        ["image"] = Blob(await TestMedia.BytesAsync(medium), medium.ContentType),
        ["aspectRatio"] = new JsonObject { ["width"] = medium.Width, ["height"] = medium.Height },
    };

    private static void AssertEmbed(StoredRecord stored, JsonObject expected)
    {
        Assert.True(stored.Value.TryGetProperty("embed", out var embed), "The record has no embed: " + stored.Value.GetRawText());
        var actual = JsonNode.Parse(embed.GetRawText());
        Assert.True(JsonNode.DeepEquals(expected, actual), $"Embed stored: {actual?.ToJsonString()}; approved: {expected.ToJsonString()}");
    }

    /// <summary>A blob's bytes as the server serves them (com.atproto.sync.getBlob), checking the type it names.</summary>
    private async Task<byte[]> ReadBlobAsync(string cid, string mimeType)
    {
        using var response = await Reader.GetAsync(new Uri(server.Front.BaseUri, $"xrpc/com.atproto.sync.getBlob?did={Uri.EscapeDataString(server.Did)}&cid={cid}"));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, $"getBlob {cid}: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
        Assert.Equal(mimeType, response.Content.Headers.ContentType?.MediaType);
        return bytes;
    }

    private int Calls(string method, string prefix = "com.atproto.server.") => server.Front.Requests.Count(r => r.Path.EndsWith("/" + prefix + method, StringComparison.Ordinal));

    /// <summary>A record as the server holds it: read with getRecord, past the client.</summary>
    protected sealed record StoredRecord(string Uri, string Cid, JsonElement Value)
    {
        public string Text => Value.GetProperty("text").GetString()!;
    }

    /// <summary>Reads back the record a progress id ("at-uri|cid") or an at-uri names, and checks the CID matches.</summary>
    protected async Task<StoredRecord> ReadBackAsync(string posted)
    {
        var bar = posted.IndexOf('|');
        var uri = bar < 0 ? posted : posted[..bar];
        var segments = uri["at://".Length..].Split('/');
        var query = $"xrpc/com.atproto.repo.getRecord?repo={Uri.EscapeDataString(segments[0])}&collection={segments[1]}&rkey={segments[2]}";
        using var response = await Reader.GetAsync(new Uri(server.Front.BaseUri, query));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"getRecord {uri}: {(int)response.StatusCode} {body}");
        var root = JsonDocument.Parse(body).RootElement.Clone();
        var stored = new StoredRecord(root.GetProperty("uri").GetString()!, root.GetProperty("cid").GetString()!, root.GetProperty("value"));
        Assert.Equal(uri, stored.Uri);
        if (bar >= 0) Assert.Equal(posted[(bar + 1)..], stored.Cid);
        return stored;
    }

    /// <summary>
    /// The facets expected on <paramref name="text"/>: each covers the first occurrence of its words, and the
    /// ranges are UTF-8 byte offsets worked out here, independently of the client.
    /// </summary>
    private static JsonArray Facets(string text, params (string Covered, JsonObject Feature)[] facets)
    {
        var array = new JsonArray();
        foreach (var (covered, feature) in facets)
        {
            var at = text.IndexOf(covered, StringComparison.Ordinal);
            Assert.True(at >= 0, $"“{covered}” is not in the text.");
            var start = Encoding.UTF8.GetByteCount(text[..at]);
            array.Add(new JsonObject
            {
                ["index"] = new JsonObject { ["byteStart"] = start, ["byteEnd"] = start + Encoding.UTF8.GetByteCount(covered) },
                ["features"] = new JsonArray(feature),
            });
        }
        return array;
    }

    /// <summary>
    /// The stored record holds exactly what was approved: the same UTF-8 bytes of text, the same facets (every
    /// range and feature value), and reply references naming exactly the root's and parent's uri and CID.
    /// </summary>
    protected static void AssertStoredAsApproved(StoredRecord stored, string approvedText, JsonArray? facets, StoredRecord? root = null, StoredRecord? parent = null)
    {
        Assert.Equal("app.bsky.feed.post", stored.Value.GetProperty("$type").GetString());
        Assert.Equal(Encoding.UTF8.GetBytes(approvedText), Encoding.UTF8.GetBytes(stored.Text));
        if (facets is null)
            Assert.False(stored.Value.TryGetProperty("facets", out _), "The record has facets: " + stored.Value.GetRawText());
        else
        {
            var actual = JsonNode.Parse(stored.Value.GetProperty("facets").GetRawText());
            Assert.True(JsonNode.DeepEquals(facets, actual), $"Facets stored: {actual?.ToJsonString()}; approved: {facets.ToJsonString()}");
        }
        if (root is null)
            Assert.False(stored.Value.TryGetProperty("reply", out _), "The record is a reply: " + stored.Value.GetRawText());
        else
        {
            var reply = stored.Value.GetProperty("reply");
            var expected = new JsonObject
            {
                ["root"] = new JsonObject { ["cid"] = root.Cid, ["uri"] = root.Uri },
                ["parent"] = new JsonObject { ["cid"] = parent!.Cid, ["uri"] = parent.Uri },
            };
            Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(reply.GetRawText())), $"Reply stored: {reply.GetRawText()}; expected: {expected.ToJsonString()}");
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await server.DisposeAsync();
}

/// <summary>The Bluesky client against our fake PDS.</summary>
public sealed class BlueskyClientOnFakeTests() : BlueskyClientContract(new FakeBlueskyServer());

/// <summary>The Bluesky client against Bluesky's own PDS (tests/bluesky-pds), one server for the whole run.</summary>
[Collection(BlueskyPdsCollection.Name)]
public sealed class BlueskyClientOnRealPdsTests(BlueskyPdsServer pds) : BlueskyClientContract(new RealBlueskyServer(pds));
