using Publisher.Testing;
using Publisher.Testing.Fakes;

namespace Publisher.Worker.Tests.Channels.Bluesky;

/// <summary>
/// A Bluesky server the client's tests run against: our fake, or Bluesky's own PDS behind a loopback relay. Either
/// way <see cref="Front"/> is where the client connects and where faults (dropped connections, held requests) are
/// injected.
/// </summary>
public interface IBlueskyTestServer : IAsyncDisposable
{
    FakeApiServer Front { get; }
    string Handle { get; }
    string Did { get; }
    IReadOnlyDictionary<string, string> Credentials { get; }

    /// <summary>Another account the server knows, for a mention that resolves.</summary>
    (string Handle, string Did) Mentionable { get; }

    /// <summary>How far the server's clock runs ahead of this machine's (its rate-limit resets are in its time).</summary>
    TimeSpan ClockOffset { get; }

    /// <summary>
    /// Lets every access token handed out so far expire, as they do after two hours; with
    /// <paramref name="refreshTokensToo"/> the refresh tokens too, as after 90 days.
    /// </summary>
    Task ExpireSessionsAsync(bool refreshTokensToo = false);
}

public sealed class FakeBlueskyServer : IBlueskyTestServer
{
    private readonly FakeBlueskyPds _fake = new();

    public FakeApiServer Front => _fake;
    public string Handle => _fake.Handle;
    public string Did => _fake.Did;
    public IReadOnlyDictionary<string, string> Credentials => _fake.Credentials;
    public (string Handle, string Did) Mentionable => ("alice.bsky.social", _fake.KnownHandles["alice.bsky.social"]);
    public TimeSpan ClockOffset => TimeSpan.Zero;

    public Task ExpireSessionsAsync(bool refreshTokensToo = false)
    {
        _fake.ExpireSessions(refreshTokensToo);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => _fake.DisposeAsync();
}

public sealed class RealBlueskyServer(BlueskyPdsServer pds) : IBlueskyTestServer
{
    private readonly BlueskyPdsRelay _relay = new(pds.BaseUri);

    public FakeApiServer Front => _relay;
    public string Handle => pds.Poster.Handle;
    public string Did => pds.Poster.Did;
    public IReadOnlyDictionary<string, string> Credentials => pds.Poster.Credentials;
    public (string Handle, string Did) Mentionable => (pds.Mentionable.Handle, pds.Mentionable.Did);
    public TimeSpan ClockOffset => pds.ClockOffset;

    // The PDS's access tokens last two hours by its clock, its refresh tokens 90 days.
    public Task ExpireSessionsAsync(bool refreshTokensToo = false) =>
        pds.AdvanceClockAsync(refreshTokensToo ? TimeSpan.FromDays(91) : TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));

    public ValueTask DisposeAsync() => _relay.DisposeAsync();
}

/// <summary>One Bluesky PDS (and PLC directory) for every test class that asks for it, started once per test run.</summary>
[CollectionDefinition(Name)]
public sealed class BlueskyPdsCollection : ICollectionFixture<BlueskyPdsServer>
{
    public const string Name = "bluesky-pds";
}
