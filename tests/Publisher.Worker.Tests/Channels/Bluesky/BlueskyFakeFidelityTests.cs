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
    private readonly FakeBlueskyPds _fake = new();

    private sealed record Target(Uri BaseUri, string Identifier, string Password, string MentionHandle);

    private sealed record Answer(int Status, string? Error)
    {
        public override string ToString() => $"{Status} {Error ?? "(no error)"}";
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
        var real = await AnswersAsync(new Target(pds.BaseUri, pds.Poster.Handle, pds.Poster.AppPassword, pds.Mentionable.Handle));
        var fake = await AnswersAsync(new Target(_fake.BaseUri, _fake.Handle, _fake.AppPassword, _fake.KnownHandles.Keys.First()));

        var differences = real.Keys.Where(name => real[name] != fake[name]).Select(name => $"{name}: PDS {real[name]}, fake {fake[name]}").ToList();
        Assert.True(differences.Count == 0, "The fake differs from Bluesky's PDS:\n" + string.Join("\n", differences));
        // The cases are not all answered alike, so agreeing means something.
        Assert.Contains(real.Values, a => a.Status == 200);
        Assert.Contains(real.Values, a => a.Status == 500);
        Assert.Contains(real.Values, a => a.Error == "InvalidRequest");
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
        string? error = null;
        if (!response.IsSuccessStatusCode)
        {
            try
            {
                error = JsonNode.Parse(text)?["error"]?.GetValue<string>();
            }
            catch (JsonException)
            {
                error = "(not JSON)";
            }
        }
        return new Answer((int)response.StatusCode, error);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fake.DisposeAsync();
}
