using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Publisher.Testing;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels.Bluesky;

namespace Publisher.Worker.Tests.Channels.Bluesky;

/// <summary>
/// The fake PDS answers as Bluesky's own does: the same raw requests, good and bad, go to both, and each answer's
/// status and XRPC error name must agree. Where they differed, the fake was changed (the real server is right).
/// </summary>
[Collection(BlueskyPdsCollection.Name)]
public sealed class BlueskyFakeFidelityTests(BlueskyPdsServer pds) : IAsyncLifetime
{
    private static readonly HttpClient Http = new();
    // The PDS software's own upload limit (5 MiB), which the test PDS keeps; bsky.social's is larger.
    private readonly FakeBlueskyPds _fake = new() { UploadLimit = 5 * 1024 * 1024 };

    private sealed record Target(Uri BaseUri, string Identifier, string Password, string MentionHandle);

    private sealed record Answer(int Status, string? Error, string? Blob = null)
    {
        public override string ToString() => $"{Status} {Error ?? "(no error)"}{(Blob is null ? "" : " " + Blob)}";
    }

    private static JsonObject Post(string text, string createdAt = "2026-11-30T10:00:00.000Z") =>
        new() { ["$type"] = "app.bsky.feed.post", ["text"] = text, ["createdAt"] = createdAt };

    private static JsonObject Tag(string tag) => new()
    {
        ["index"] = new JsonObject { ["byteStart"] = 0, ["byteEnd"] = 2 },
        ["features"] = new JsonArray(new JsonObject { ["$type"] = "app.bsky.richtext.facet#tag", ["tag"] = tag }),
    };

    [Fact]
    public async Task The_fake_answers_every_request_as_Blueskys_own_server_does()
    {
        var real = await BothAgreeAsync(AnswersAsync);
        // The cases are not all answered alike, so agreeing means something.
        Assert.Contains(real.Values, a => a.Status == 200);
        Assert.Contains(real.Values, a => a.Status == 500);
        Assert.Contains(real.Values, a => a.Error == "InvalidRequest");
    }

    [Fact]
    public async Task The_fake_answers_uploads_and_embeds_as_Blueskys_own_server_does()
    {
        var real = await BothAgreeAsync(MediaAnswersAsync);
        Assert.Contains(real.Values, a => a.Status == 200 && a.Blob is not null);
        Assert.Contains(real.Values, a => a.Error == "BlobNotFound");
        Assert.Contains(real.Values, a => a.Error == "InvalidMimeType");
        Assert.Contains(real.Values, a => a.Status == 413);
    }

    /// <summary>Sends the same requests to the PDS and the fake and fails on each answer that differs; returns the PDS's answers.</summary>
    private async Task<Dictionary<string, Answer>> BothAgreeAsync(Func<Target, Task<Dictionary<string, Answer>>> answers)
    {
        var real = await answers(new Target(pds.BaseUri, pds.Poster.Handle, pds.Poster.AppPassword, pds.Mentionable.Handle));
        var fake = await answers(new Target(_fake.BaseUri, _fake.Handle, _fake.AppPassword, _fake.KnownHandles.Keys.First()));
        var differences = real.Keys.Where(name => real[name] != fake[name]).Select(name => $"{name}: PDS {real[name]}, fake {fake[name]}").ToList();
        Assert.True(differences.Count == 0, "The fake differs from Bluesky's PDS:\n" + string.Join("\n", differences));
        return real;
    }

    /// <summary>
    /// uploadBlob, getBlob and createRecord with embeds, good and bad. Every image is made fresh (a PDS compares a
    /// blob's type and size only when a record first uses it), and an upload's answer is compared whole: the CID, the
    /// type the server settled on and the size.
    /// </summary>
    private static async Task<Dictionary<string, Answer>> MediaAnswersAsync(Target target)
    {
        var answers = new Dictionary<string, Answer>();
        using var session = await Http.PostAsJsonAsync(new Uri(target.BaseUri, "xrpc/com.atproto.server.createSession"), new { identifier = target.Identifier, password = target.Password });
        var signedIn = JsonNode.Parse(await session.Content.ReadAsStringAsync())!;
        var token = signedIn["accessJwt"]!.GetValue<string>();
        var did = signedIn["did"]!.GetValue<string>();
        var colour = 0;
        byte[] Png(int width = 40, int height = 20)
        {
            using var image = NetVips.Image.Black(width, height, bands: 3) + new double[] { colour++ % 256, 40, 80 };
            return image.PngsaveBuffer(compression: 0);
        }
        async Task<(Answer Answer, JsonNode? Blob)> UploadAsync(byte[] bytes, string? contentType, string? bearer = "")
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target.BaseUri, "xrpc/com.atproto.repo.uploadBlob")) { Content = new ByteArrayContent(bytes) };
            if (contentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            if (bearer is not null) request.Headers.Authorization = new("Bearer", bearer == "" ? token : bearer);
            using var response = await Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode) return (new Answer((int)response.StatusCode, ErrorName(text)), null);
            var blob = JsonNode.Parse(text)!["blob"]!;
            return (new Answer(200, null, blob.ToJsonString()), blob.DeepClone());
        }
        async Task<JsonNode> BlobAsync(byte[]? bytes = null) => (await UploadAsync(bytes ?? Png(), "image/png")).Blob!;
        Task<Answer> PostAsync(JsonObject embed)
        {
            var post = Post("with media");
            post["embed"] = embed;
            return SendAsync(target, HttpMethod.Post, "com.atproto.repo.createRecord", token,
                new JsonObject { ["repo"] = did, ["collection"] = BlueskyClient.Collection, ["rkey"] = BlueskyRecordKey.For("media" + Guid.NewGuid(), 0), ["record"] = post });
        }
        static JsonObject Images(params JsonObject[] images) => new() { ["$type"] = "app.bsky.embed.images", ["images"] = new JsonArray(images) };
        static JsonObject Image(JsonNode blob, string? alt = "alt text", int width = 40) => alt is null
            ? new() { ["image"] = blob.DeepClone() }
            : new() { ["alt"] = alt, ["image"] = blob.DeepClone(), ["aspectRatio"] = new JsonObject { ["width"] = width, ["height"] = 20 } };
        static JsonNode With(JsonNode blob, string name, JsonNode value)
        {
            var copy = blob.DeepClone();
            copy[name] = value;
            return copy;
        }
        static JsonObject External(JsonNode? thumb, string uri = "https://example.com/sale", bool description = true)
        {
            var external = new JsonObject { ["uri"] = uri, ["title"] = "Autumn sale" };
            if (description) external["description"] = "Until Sunday.";
            if (thumb is not null) external["thumb"] = thumb.DeepClone();
            return new JsonObject { ["$type"] = "app.bsky.embed.external", ["external"] = external };
        }

        var png = Png();
        answers["uploadBlob, a PNG"] = (await UploadAsync(png, "image/png")).Answer;
        answers["uploadBlob, a PNG sent as image/jpeg"] = (await UploadAsync(Png(), "image/jpeg")).Answer;
        answers["uploadBlob, a PNG sent with a parameter"] = (await UploadAsync(Png(), "image/png; charset=binary")).Answer;
        answers["uploadBlob, bytes of no known type sent as image/jpeg"] = (await UploadAsync("not really a picture"u8.ToArray(), "image/jpeg")).Answer;
        answers["uploadBlob, a JSON body"] = (await UploadAsync("{\"a\":1}"u8.ToArray(), "application/json")).Answer;
        answers["uploadBlob, an empty body"] = (await UploadAsync([], "image/png")).Answer;
        answers["uploadBlob, no Content-Type"] = (await UploadAsync(Png(), null)).Answer;
        answers["uploadBlob, no token"] = (await UploadAsync(Png(), "image/png", bearer: null)).Answer;
        answers["uploadBlob, over the server's limit"] = (await UploadAsync(new byte[5 * 1024 * 1024 + 1], "application/octet-stream")).Answer;

        var used = await BlobAsync(png);
        answers["getBlob, not yet used by a record"] = await SendAsync(target, HttpMethod.Get, $"com.atproto.sync.getBlob?did={Uri.EscapeDataString(did)}&cid={used["ref"]!["$link"]}", null, null);
        answers["createRecord, two images"] = await PostAsync(Images(Image(used), Image(await BlobAsync())));
        answers["getBlob, used by a record"] = await SendAsync(target, HttpMethod.Get, $"com.atproto.sync.getBlob?did={Uri.EscapeDataString(did)}&cid={used["ref"]!["$link"]}", null, null);
        answers["createRecord, an image without alt"] = await PostAsync(Images(Image(await BlobAsync(), alt: null)));
        answers["createRecord, an aspect ratio of 0"] = await PostAsync(Images(Image(await BlobAsync(), width: 0)));
        var five = await BlobAsync();
        answers["createRecord, five images"] = await PostAsync(Images(Image(five), Image(five), Image(five), Image(five), Image(five)));
        answers["createRecord, no images"] = await PostAsync(Images());
        answers["createRecord, an image blob with another type"] = await PostAsync(Images(Image(With(await BlobAsync(), "mimeType", "image/jpeg"))));
        answers["createRecord, an image blob with another size"] = await PostAsync(Images(Image(With(await BlobAsync(), "size", 5))));
        answers["createRecord, a blob never uploaded"] = await PostAsync(Images(Image(With(await BlobAsync(), "ref", new JsonObject { ["$link"] = FakeBlueskyPds.BlobCid("never uploaded"u8) }))));
        answers["createRecord, a JSON blob as an image"] = await PostAsync(Images(Image((await UploadAsync("{\"b\":2}"u8.ToArray(), "application/json")).Blob!)));
        using var noise = NetVips.Image.Gaussnoise(600, 600) ;
        using var colourNoise = noise.Bandjoin(noise, noise).Cast(NetVips.Enums.BandFormat.Uchar);
        answers["createRecord, an image over 1,000,000 bytes"] = await PostAsync(Images(Image((await UploadAsync(colourNoise.PngsaveBuffer(compression: 0), "image/png")).Blob!)));
        answers["createRecord, a link card with a thumb"] = await PostAsync(External(await BlobAsync()));
        answers["createRecord, a link card without a thumb"] = await PostAsync(External(null));
        answers["createRecord, a link card without a description"] = await PostAsync(External(null, description: false));
        answers["createRecord, a link card whose uri is not one"] = await PostAsync(External(null, uri: "not a uri"));
        answers["createRecord, a link card with a JSON thumb"] = await PostAsync(External((await UploadAsync("{\"c\":3}"u8.ToArray(), "application/json")).Blob!));
        answers["createRecord, an embed of a type from another lexicon"] = await PostAsync(new JsonObject { ["$type"] = "com.example.embed.poll", ["question"] = "Tea or coffee?" });
        return answers;
    }

    private static string? ErrorName(string text)
    {
        try
        {
            return JsonNode.Parse(text)?["error"]?.GetValue<string>();
        }
        catch (JsonException)
        {
            return "(not JSON)";
        }
    }

    private static async Task<Dictionary<string, Answer>> AnswersAsync(Target target)
    {
        var answers = new Dictionary<string, Answer>();
        answers["createSession, wrong password"] = await SendAsync(target, HttpMethod.Post, "com.atproto.server.createSession", null,
            new JsonObject { ["identifier"] = target.Identifier, ["password"] = "wrong-wrong-wrong-wrong" });
        answers["createSession, no password"] = await SendAsync(target, HttpMethod.Post, "com.atproto.server.createSession", null,
            new JsonObject { ["identifier"] = target.Identifier });
        using var session = await Http.PostAsJsonAsync(new Uri(target.BaseUri, "xrpc/com.atproto.server.createSession"), new { identifier = target.Identifier, password = target.Password });
        var signedIn = JsonNode.Parse(await session.Content.ReadAsStringAsync())!;
        var token = signedIn["accessJwt"]!.GetValue<string>();
        var did = signedIn["did"]!.GetValue<string>();
        answers["createSession"] = new Answer((int)session.StatusCode, null);
        var refresh = signedIn["refreshJwt"]!.GetValue<string>();
        answers["refreshSession with the access token"] = await SendAsync(target, HttpMethod.Post, "com.atproto.server.refreshSession", token, null);
        answers["refreshSession"] = await SendAsync(target, HttpMethod.Post, "com.atproto.server.refreshSession", refresh, null);
        answers["refreshSession, the same refresh token again"] = await SendAsync(target, HttpMethod.Post, "com.atproto.server.refreshSession", refresh, null);
        answers["refreshSession, no token"] = await SendAsync(target, HttpMethod.Post, "com.atproto.server.refreshSession", null, null);

        JsonObject Create(JsonObject record, string? rkey) => rkey is null
            ? new() { ["repo"] = did, ["collection"] = BlueskyClient.Collection, ["record"] = record }
            : new() { ["repo"] = did, ["collection"] = BlueskyClient.Collection, ["rkey"] = rkey, ["record"] = record };
        Task<Answer> CreateAsync(JsonObject record, string? rkey, string? bearer) =>
            SendAsync(target, HttpMethod.Post, "com.atproto.repo.createRecord", bearer, Create(record, rkey));
        string Key(string name) => BlueskyRecordKey.For(name + Guid.NewGuid(), 0);

        answers["createRecord, no token"] = await CreateAsync(Post("hi"), Key("a"), null);
        answers["createRecord, a token it never issued"] = await CreateAsync(Post("hi"), Key("b"), "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");
        answers["createRecord, a key that is not a TID"] = await CreateAsync(Post("hi"), "hello", token);
        answers["createRecord, no key"] = await CreateAsync(Post("hi"), null, token);
        var taken = Key("c");
        answers["createRecord"] = await CreateAsync(Post("hi"), taken, token);
        answers["createRecord, the same key again"] = await CreateAsync(Post("hi again"), taken, token);
        answers["createRecord, createdAt not a datetime"] = await CreateAsync(Post("hi", createdAt: "yesterday"), Key("d"), token);
        answers["createRecord, 301 graphemes"] = await CreateAsync(Post(new string('a', 301)), Key("e"), token);
        answers["createRecord, 300 graphemes of emoji (1200 bytes)"] = await CreateAsync(Post(string.Concat(Enumerable.Repeat("🍂", 300))), Key("f"), token);
        var pastTheEnd = Post("hi");
        pastTheEnd["facets"] = new JsonArray(new JsonObject
        {
            ["index"] = new JsonObject { ["byteStart"] = 0, ["byteEnd"] = 50 },
            ["features"] = new JsonArray(new JsonObject { ["$type"] = "app.bsky.richtext.facet#link", ["uri"] = "https://example.com/" }),
        });
        answers["createRecord, a facet past the end of the text"] = await CreateAsync(pastTheEnd, Key("g"), token);
        var negative = Post("hi");
        negative["facets"] = new JsonArray(new JsonObject
        {
            ["index"] = new JsonObject { ["byteStart"] = -1, ["byteEnd"] = 2 },
            ["features"] = new JsonArray(new JsonObject { ["$type"] = "app.bsky.richtext.facet#link", ["uri"] = "https://example.com/" }),
        });
        answers["createRecord, a negative byteStart"] = await CreateAsync(negative, Key("h"), token);
        var hashTag = Post("#x");
        hashTag["facets"] = new JsonArray(Tag("#x"));
        answers["createRecord, a tag that keeps its #"] = await CreateAsync(hashTag, Key("i"), token);
        var longTag = Post("#x");
        longTag["facets"] = new JsonArray(Tag(new string('x', 65)));
        answers["createRecord, a tag of 65 graphemes"] = await CreateAsync(longTag, Key("j"), token);
        var orphan = Post("a reply");
        var nowhere = new JsonObject { ["uri"] = $"at://{did}/app.bsky.feed.post/{Key("k")}", ["cid"] = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm" };
        orphan["reply"] = new JsonObject { ["root"] = nowhere.DeepClone(), ["parent"] = nowhere.DeepClone() };
        answers["createRecord, a reply to a record that does not exist"] = await CreateAsync(orphan, Key("l"), token);

        answers["getRecord"] = await SendAsync(target, HttpMethod.Get, $"com.atproto.repo.getRecord?repo={Uri.EscapeDataString(did)}&collection={BlueskyClient.Collection}&rkey={taken}", null, null);
        answers["getRecord, nothing at the key"] = await SendAsync(target, HttpMethod.Get, $"com.atproto.repo.getRecord?repo={Uri.EscapeDataString(did)}&collection={BlueskyClient.Collection}&rkey={Key("m")}", null, null);
        answers["resolveHandle"] = await SendAsync(target, HttpMethod.Get, $"com.atproto.identity.resolveHandle?handle={target.MentionHandle}", null, null);
        answers["resolveHandle, nobody"] = await SendAsync(target, HttpMethod.Get, "com.atproto.identity.resolveHandle?handle=nobody-here.test", null, null);
        return answers;
    }

    private static async Task<Answer> SendAsync(Target target, HttpMethod method, string call, string? bearer, JsonObject? body)
    {
        using var request = new HttpRequestMessage(method, new Uri(target.BaseUri, "xrpc/" + call));
        if (bearer is not null) request.Headers.Authorization = new("Bearer", bearer);
        if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Answer((int)response.StatusCode, response.IsSuccessStatusCode ? null : ErrorName(text));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fake.DisposeAsync();
}
