using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Publisher.Core.Connect;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Core.Workflow;
using Publisher.Testing.Fakes;

namespace Publisher.Web.Tests.Connect;

/// <summary>
/// Bluesky's Connect with an app password: the handle resolved to its DID and the DID document to its PDS, the
/// session made there and stored encrypted, renewed by the worker's refresh before the access JWT ends, a dead session
/// marked for a reconnect, and Disconnect ending it. Against the strict fake PDS (its own PLC directory), on the real
/// PostgreSQL.
/// </summary>
[Collection(WebAppCollection.Name)]
public class BlueskyConnectTests(PublisherWebApp app)
{
    private static IOptions<ConnectOptions> PointedAt(FakeBlueskyPds pds) => Options.Create(new ConnectOptions
    {
        Bluesky = new BlueskyConnectOptions { HandleResolverUrl = pds.BaseUri.ToString(), PlcDirectoryUrl = pds.BaseUri.ToString() },
    });

    [Fact]
    public async Task A_handle_and_app_password_connect_the_account_on_its_pds_the_worker_renews_the_session_and_disconnect_ends_it()
    {
        await using var pds = new FakeBlueskyPds { Handle = "brand.connect.test", Did = "did:plc:brandconnect00000000000", EmailTwoFactor = true };
        var options = PointedAt(pds);
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        ConnectProvider[] providers = [new BlueskyConnect(services.GetRequiredService<IHttpClientFactory>(), options)];
        var flow = ActivatorUtilities.CreateInstance<ConnectFlow>(services, providers.AsEnumerable(), options);
        var actor = new Actor("bluesky-connect-test", "Admin Tester");
        async Task<int> ConnectedCount() => await ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.CountAsync(a => a.ExternalId == pds.Did));

        // What a person gets wrong is said, and nothing is saved.
        var wrong = await flow.ConnectWithAppPasswordAsync("brand.connect.test", "aaaa-bbbb-cccc-dddd", null, actor, CancellationToken.None);
        Assert.Contains("Bluesky refused the handle and app password", wrong.Error);
        var ownPassword = await flow.ConnectWithAppPasswordAsync("brand.connect.test", pds.AccountPassword, null, actor, CancellationToken.None);
        Assert.Contains("that was the account's own password. Publisher needs an app password instead", ownPassword.Error);
        var unknown = await flow.ConnectWithAppPasswordAsync("nobody.connect.test", pds.AppPassword, null, actor, CancellationToken.None);
        Assert.Contains("Bluesky knows no account nobody.connect.test", unknown.Error);
        var notAHandle = await flow.ConnectWithAppPasswordAsync("brand connect", pds.AppPassword, null, actor, CancellationToken.None);
        Assert.Contains("is not a Bluesky handle", notAHandle.Error);
        var empty = await flow.ConnectWithAppPasswordAsync("brand.connect.test", "  ", null, actor, CancellationToken.None);
        Assert.Contains("an app password made for Publisher", empty.Error);
        Assert.Equal(0, await ConnectedCount());
        Assert.Equal(2, pds.Requests.Count(r => r.Path == "/xrpc/com.atproto.server.createSession")); // the last three never reached it

        // Typed as the profile shows it: connected at the PDS the DID document names.
        var outcome = await flow.ConnectWithAppPasswordAsync("@Brand.Connect.Test", pds.AppPassword, null, actor, CancellationToken.None);
        Assert.Null(outcome.Error);
        Assert.True(outcome.Created);
        Assert.Equal("@brand.connect.test on Bluesky", outcome.AccountName);
        Assert.Contains(pds.Requests, r => r.Path == "/xrpc/com.atproto.identity.resolveHandle" && r.QueryString.Contains("handle=brand.connect.test"));
        Assert.Contains(pds.Requests, r => r.Method == "GET" && r.Path == "/" + pds.Did);
        Assert.Contains($"\"identifier\":\"{pds.Did}\"", pds.Requests.Last(r => r.Path == "/xrpc/com.atproto.server.createSession").Body);

        var credentials = services.GetRequiredService<ChannelCredentials>();
        async Task<ChannelAccount> AccountAsync() => await ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.AsNoTracking().SingleAsync(a => a.Id == outcome.AccountId));
        var account = await AccountAsync();
        Assert.Equal(("Bluesky", "Bluesky", pds.Did, "brand.connect.test"), (account.Kind, account.ConnectedWith, account.ExternalId, account.Handle));
        Assert.Equal(pds.BaseUri.GetLeftPart(UriPartial.Authority), account.BaseAddress);
        Assert.True(account.IsEnabled);
        Assert.InRange(account.TokenExpiresAt!.Value, DateTimeOffset.UtcNow.AddMinutes(110), DateTimeOffset.UtcNow.AddMinutes(121)); // the access JWT's exp
        Assert.DoesNotContain(pds.AppPassword, account.EncryptedCredentials);
        var first = credentials.Unprotect(account.EncryptedCredentials);
        Assert.Equal(pds.Did, first["identifier"]);
        Assert.Equal(pds.AppPassword, first["app_password"]);
        Assert.StartsWith("ey", first["access_token"]);
        Assert.StartsWith("ey", first["refresh_token"]);

        // The worker renews the session when its access JWT nears its end, with refreshSession and the refresh JWT.
        var refresher = ActivatorUtilities.CreateInstance<TokenRefresher>(services, providers.AsEnumerable(), options);
        Assert.Equal(TokenRefresher.RefreshOutcome.NothingToDo, await refresher.RefreshAsync(account.Id, force: false, CancellationToken.None));
        await SetExpiryAsync(account.Id, DateTimeOffset.UtcNow.AddMinutes(10));
        Assert.Equal(TokenRefresher.RefreshOutcome.Refreshed, await refresher.RefreshAsync(account.Id, force: false, CancellationToken.None));
        var refresh = pds.Requests.Single(r => r.Path == "/xrpc/com.atproto.server.refreshSession");
        Assert.Equal("Bearer " + first["refresh_token"], refresh.Header("Authorization"));
        var second = credentials.Unprotect((await AccountAsync()).EncryptedCredentials);
        Assert.NotEqual(first["refresh_token"], second["refresh_token"]);
        Assert.NotEqual(first["access_token"], second["access_token"]);
        Assert.Equal(pds.AppPassword, second["app_password"]);
        Assert.True((await AccountAsync()).TokenExpiresAt > DateTimeOffset.UtcNow.AddMinutes(110));

        // Connecting the same account again updates it rather than adding a second one.
        var again = await flow.ConnectWithAppPasswordAsync("brand.connect.test", pds.AppPassword, null, actor, CancellationToken.None);
        Assert.Equal((account.Id, false), (again.AccountId!.Value, again.Created));
        Assert.Equal(1, await ConnectedCount());
        Assert.Equal(1, pds.DeletedSessions); // the session it replaced is ended

        // The refresh JWT ran out (months unused): the account is marked for a reconnect, which fixes it.
        pds.ExpireSessions(refreshTokensToo: true);
        await SetExpiryAsync(account.Id, DateTimeOffset.UtcNow.AddMinutes(10));
        Assert.Equal(TokenRefresher.RefreshOutcome.NeedsReconnect, await refresher.RefreshAsync(account.Id, force: false, CancellationToken.None));
        account = await AccountAsync();
        Assert.True(account.NeedsReconnect);
        Assert.Contains("Bluesky refused its token (invalid_grant: Token has expired", account.ReconnectReason);
        var reconnected = await flow.ConnectWithAppPasswordAsync("brand.connect.test", pds.AppPassword, account.Id, actor, CancellationToken.None);
        Assert.Null(reconnected.Error);
        Assert.False((await AccountAsync()).NeedsReconnect);

        // Disconnect ends the session at the PDS (deleteSession with the refresh JWT).
        var disconnect = ActivatorUtilities.CreateInstance<AccountDisconnect>(services, providers.AsEnumerable());
        var disconnected = await disconnect.DisconnectAsync(account.Id, actor, CancellationToken.None);
        Assert.Null(disconnected.Error);
        Assert.Equal(2, pds.DeletedSessions);
        Assert.Contains("Bluesky revoked its token", disconnected.Notice);

        // Leave nothing that needs refreshing for the collection's other tests.
        await ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.IsEnabled, false).SetProperty(a => a.ConnectedWith, (string?)null)));
    }

    private Task<int> SetExpiryAsync(Guid id, DateTimeOffset at) =>
        ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.TokenExpiresAt, at)));
}
