using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Networking;
using Publisher.Templates.Channels;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.Bluesky;
using Publisher.Worker.Channels.FacebookPage;
using Publisher.Worker.Channels.LinkedIn;
using Publisher.Worker.Channels.Mastodon;
using Publisher.Worker.Channels.Threads;
using Publisher.Worker.Channels.Webhook;
using Publisher.Worker.Channels.X;

namespace Publisher.Worker.Tests.Channels;

/// <summary>Builds channel clients the way the worker does (AddChannelClients) and requests aimed at a fake.</summary>
public static class ChannelKit
{
    /// <summary>
    /// A client built as the worker builds it. The fakes listen on 127.0.0.1, so private networks are allowed unless
    /// a test asks for the production default (<paramref name="allowPrivateNetworks"/> false).
    /// </summary>
    /// <param name="configure">Anything else the test sets up (options such as the Meta app id).</param>
    public static T Client<T>(TimeProvider? clock = null, bool allowPrivateNetworks = true, Action<IServiceCollection>? configure = null) where T : IChannelClient
    {
        var services = new ServiceCollection();
        if (clock is not null) services.AddSingleton(clock);
        services.Configure<OutboundNetworkOptions>(o => o.AllowPrivateNetworks = allowPrivateNetworks);
        configure?.Invoke(services);
        services.AddChannelClients();
        return services.BuildServiceProvider().GetServices<IChannelClient>().OfType<T>().Single();
    }

    public static ChannelConnection Connection(
        ChannelKind kind,
        Uri baseAddress,
        IReadOnlyDictionary<string, string> credentials,
        IReadOnlyDictionary<string, string>? settings = null,
        string? handle = null) =>
        new(kind, $"Test {kind}", handle, baseAddress, credentials, settings ?? new Dictionary<string, string>());

    public static PublishRequest Request(
        ChannelConnection connection,
        string text = "Our autumn sale starts today: 20% off everything.",
        IReadOnlyList<string>? thread = null,
        string? key = null,
        IReadOnlyList<string>? posted = null,
        string? facetsJson = null,
        string? jsonPayload = null,
        string? link = null,
        string? html = null,
        string? subject = null) =>
        new(
            VariantId: Guid.NewGuid(),
            Connection: connection,
            Text: thread is { Count: > 0 } ? thread[0] : text,
            ThreadParts: thread ?? [],
            Subject: subject,
            Preheader: null,
            Html: html,
            Link: link,
            FacetsJson: facetsJson,
            JsonPayload: jsonPayload,
            Title: "Autumn sale",
            IdempotencyKey: key ?? "variant-" + Guid.NewGuid().ToString("N"),
            PostedPartIds: posted ?? [],
            ScheduledAt: new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));

    /// <summary>A loopback address where nothing listens: connecting is refused.</summary>
    public static Uri ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }
}

/// <summary>Collects what a client reports after each posted part.</summary>
public sealed class RecordingProgress : IPublishProgress
{
    private readonly List<string> _ids = [];

    public IReadOnlyList<string> Ids
    {
        get { lock (_ids) return _ids.ToList(); }
    }

    public Task PartPostedAsync(string externalId, CancellationToken cancellationToken)
    {
        lock (_ids) _ids.Add(externalId);
        return Task.CompletedTask;
    }

    private readonly List<(string Key, string NetworkMediaId, DateTimeOffset? ExpiresAt)> _media = [];

    /// <summary>Every medium reported uploaded, in order.</summary>
    public IReadOnlyList<(string Key, string NetworkMediaId, DateTimeOffset? ExpiresAt)> Media
    {
        get { lock (_media) return _media.ToList(); }
    }

    public Task MediaUploadedAsync(string key, string networkMediaId, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        lock (_media) _media.Add((key, networkMediaId, expiresAt));
        return Task.CompletedTask;
    }
}

/// <summary>One HTTP channel, its fake and a client pointed at it: the same checks run against every network.</summary>
public sealed class HttpChannel : IAsyncDisposable
{
    private HttpChannel(ChannelKind kind, FakeApiServer fake, ChannelConnection connection, IChannelClient client)
    {
        Kind = kind;
        Fake = fake;
        Connection = connection;
        Client = client;
    }

    public ChannelKind Kind { get; }
    public FakeApiServer Fake { get; }
    public ChannelConnection Connection { get; }
    public IChannelClient Client { get; }

    public static readonly ChannelKind[] Kinds = [ChannelKind.X, ChannelKind.Mastodon, ChannelKind.Bluesky, ChannelKind.LinkedIn, ChannelKind.FacebookPage, ChannelKind.Webhook, ChannelKind.Threads];

    public static HttpChannel Start(ChannelKind kind, TimeProvider? clock = null, bool allowPrivateNetworks = true) => kind switch
    {
        ChannelKind.X => Of(kind, new FakeXApi(), f => ChannelKit.Connection(kind, f.BaseUri, f.Credentials, handle: "@" + f.Username), ChannelKit.Client<XClient>(clock, allowPrivateNetworks)),
        ChannelKind.Mastodon => Of(kind, new FakeMastodonApi(), f => ChannelKit.Connection(kind, f.BaseUri, f.Credentials, handle: f.Username), ChannelKit.Client<MastodonClient>(clock, allowPrivateNetworks)),
        ChannelKind.Bluesky => Of(kind, new FakeBlueskyPds(), f => ChannelKit.Connection(kind, f.BaseUri, f.Credentials), ChannelKit.Client<BlueskyClient>(clock, allowPrivateNetworks)),
        ChannelKind.LinkedIn => Of(kind, new FakeLinkedInApi(), f => ChannelKit.Connection(kind, f.BaseUri, f.Credentials, new Dictionary<string, string> { ["author_urn"] = f.AuthorUrn }), ChannelKit.Client<LinkedInClient>(clock, allowPrivateNetworks)),
        ChannelKind.FacebookPage => Of(kind, new FakeFacebookGraphApi(), f => ChannelKit.Connection(kind, f.BaseUri, f.Credentials, new Dictionary<string, string> { ["page_id"] = f.PageId }), ChannelKit.Client<FacebookPageClient>(clock, allowPrivateNetworks)),
        ChannelKind.Threads => Of(kind, new FakeThreadsApi(), f => ChannelKit.Connection(kind, f.BaseUri, f.Credentials, new Dictionary<string, string> { ["user_id"] = f.UserId }), ChannelKit.Client<ThreadsClient>(clock, allowPrivateNetworks)),
        ChannelKind.Webhook => Of(kind, new FakeWebhookReceiver(), f => ChannelKit.Connection(kind, f.Url, f.Credentials), ChannelKit.Client<WebhookClient>(clock, allowPrivateNetworks)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an HTTP channel with a fake."),
    };

    private static HttpChannel Of<TFake>(ChannelKind kind, TFake fake, Func<TFake, ChannelConnection> connection, IChannelClient client) where TFake : FakeApiServer =>
        new(kind, fake, connection(fake), client);

    /// <summary>The path of the request that makes a post (to aim injected failures at it, not at a session call).</summary>
    public string PostPath => Kind switch
    {
        ChannelKind.X => "/2/tweets",
        ChannelKind.Mastodon => "/api/v1/statuses",
        ChannelKind.Bluesky => "createRecord",
        ChannelKind.LinkedIn => "/rest/posts",
        ChannelKind.FacebookPage => "/feed",
        ChannelKind.Threads => "/threads_publish",
        _ => "/hooks",
    };

    public PublishRequest Request(string text = "Our autumn sale starts today: 20% off everything.", string? key = null) =>
        ChannelKit.Request(Connection, text, key: key);

    public ValueTask DisposeAsync() => Fake.DisposeAsync();
}

/// <summary>Waits for a condition by polling, with a deadline (never a fixed sleep).</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not become true in time.");
            await Task.Delay(20);
        }
    }
}
