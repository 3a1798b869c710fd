using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
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
/// X's Connect (OAuth 2.0 with PKCE, HTTP Basic client, two-hour tokens, rotating refresh tokens) and the worker's
/// refresh: a token near its end is refreshed; one the network refuses marks the account for a reconnect, tells the
/// Admins once, and shows on Channels and in the banner; Reconnect clears it. Against fakes, on the real PostgreSQL.
/// </summary>
[Collection(WebAppCollection.Name)]
public class TokenRefreshTests(PublisherWebApp app)
{
    private const string Redirect = "http://127.0.0.1:5080/Channels/Connect/Callback";

    private static IOptions<ConnectOptions> XOptions(FakeXApi x) => Options.Create(new ConnectOptions
    {
        X = new OAuthNetworkOptions
        {
            ClientId = FakeXApi.OAuthClientId, ClientSecret = FakeXApi.OAuthClientSecret,
            AuthorizeUrl = new Uri(x.BaseUri, "i/oauth2/authorize").ToString(), ApiUrl = x.BaseUri.ToString(),
            Scopes = "tweet.read tweet.write users.read media.write offline.access",
        },
    });

    private async Task<string> AdminIdAsync(IServiceProvider services) =>
        (await services.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(PublisherWebApp.EmailFor(Roles.Admin)))!.Id;

    [Fact]
    public async Task X_connects_with_pkce_its_token_is_refreshed_before_it_ends_and_a_revoked_grant_asks_admins_to_reconnect()
    {
        await using var x = new FakeXApi();
        x.RegisterOAuthClient(Redirect);
        var options = XOptions(x);
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        ConnectProvider[] providers = [new XConnect(services.GetRequiredService<IHttpClientFactory>(), options)];
        var flow = ActivatorUtilities.CreateInstance<ConnectFlow>(services, providers.AsEnumerable(), options);
        var adminId = await AdminIdAsync(services);
        var browser = Pkce.NewSecret();

        var (authorize, error) = await flow.StartAsync("X", null, null, adminId, browser, CancellationToken.None);
        Assert.Null(error);
        Assert.StartsWith(new Uri(x.BaseUri, "i/oauth2/authorize").ToString(), authorize!.ToString());
        var back = QueryHelpers.ParseQuery((await ConnectDriver.ConsentAsync(authorize, allow: true)).Query);
        var outcome = await flow.CompleteAsync(back["state"], back["code"], null, null, adminId, browser, new Actor(adminId, "Admin Tester"), CancellationToken.None);
        Assert.Null(outcome.Error);

        var credentials = services.GetRequiredService<ChannelCredentials>();
        async Task<ChannelAccount> AccountAsync() => await ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.AsNoTracking().SingleAsync(a => a.Id == outcome.AccountId));
        var account = await AccountAsync();
        Assert.Equal(("X", "X", "1000", "@publisher_test"), (account.Kind, account.ConnectedWith, account.ExternalId, account.Handle));
        Assert.InRange(account.TokenExpiresAt!.Value, DateTimeOffset.UtcNow.AddMinutes(110), DateTimeOffset.UtcNow.AddMinutes(121));
        var first = credentials.Unprotect(account.EncryptedCredentials);
        Assert.True(x.Authorization.IsValidAccessToken(first["access_token"]));
        Assert.False(first.ContainsKey("consumer_key")); // the X client posts with this bearer user token
        var tokenRequest = Assert.Single(x.Requests, r => r.Path == "/2/oauth2/token");
        Assert.StartsWith("Basic ", tokenRequest.Header("Authorization"));
        Assert.DoesNotContain("client_secret", tokenRequest.Body);

        var refresher = ActivatorUtilities.CreateInstance<TokenRefresher>(services, providers.AsEnumerable(), options);
        // Two hours left: nothing to do yet.
        Assert.Equal(TokenRefresher.RefreshOutcome.NothingToDo, await refresher.RefreshAsync(account.Id, force: false, CancellationToken.None));

        // Ten minutes left: refreshed; X rotates the refresh token, so the old one no longer works.
        await SetExpiryAsync(account.Id, DateTimeOffset.UtcNow.AddMinutes(10));
        Assert.Equal(TokenRefresher.RefreshOutcome.Refreshed, await refresher.RefreshAsync(account.Id, force: false, CancellationToken.None));
        var second = credentials.Unprotect((await AccountAsync()).EncryptedCredentials);
        Assert.NotEqual(first["access_token"], second["access_token"]);
        Assert.NotEqual(first["refresh_token"], second["refresh_token"]);
        Assert.True(x.Authorization.IsValidAccessToken(second["access_token"]));
        Assert.True((await AccountAsync()).TokenExpiresAt > DateTimeOffset.UtcNow.AddMinutes(110));
        var client = (await providers[0].ClientForAsync(account, second, CancellationToken.None))!;
        var stale = await Assert.ThrowsAsync<OAuthException>(() => providers[0].RefreshAsync(client, first["refresh_token"], CancellationToken.None));
        Assert.Equal("invalid_grant", stale.Error);

        // The person took Publisher's access away on X: the next refresh is refused, the account needs a reconnect.
        x.Authorization.RevokeAll();
        await SetExpiryAsync(account.Id, DateTimeOffset.UtcNow.AddMinutes(10));
        Assert.Equal(TokenRefresher.RefreshOutcome.NeedsReconnect, await refresher.RefreshAsync(account.Id, force: false, CancellationToken.None));
        account = await AccountAsync();
        Assert.True(account.NeedsReconnect);
        Assert.Contains("X refused its token (invalid_grant", account.ReconnectReason);
        var notices = await ConnectDriver.WithDbAsync(app, db => db.Notifications.Where(n => n.GroupKey == ReconnectNotice.GroupKey(account.Id)).ToListAsync());
        var notice = Assert.Single(notices, n => n.UserId == adminId);
        Assert.Equal("/Channels", notice.Link);
        Assert.Contains("must be reconnected", notice.Text);
        Assert.DoesNotContain(notices, n => n.UserId != adminId && !IsAdmin(n.UserId));
        // Marked once: the next run leaves it (and tells nobody again).
        Assert.Equal(0, (await refresher.RunAsync(CancellationToken.None)).NeedReconnect);
        Assert.Equal(notices.Count, await ConnectDriver.WithDbAsync(app, db => db.Notifications.CountAsync(n => n.GroupKey == ReconnectNotice.GroupKey(account.Id))));

        // Channels says so with a Reconnect button, and every page carries the banner (a marketer is told an admin must act).
        var admin = await app.SignedInAsync(Roles.Admin);
        var channels = WebUtility.HtmlDecode(await admin.GetStringAsync("/Channels"));
        Assert.Contains("Needs reconnecting: X refused its token (invalid_grant", channels);
        Assert.Contains($"aria-label=\"Reconnect {account.Name}\"", channels);
        Assert.Contains("id=\"reconnect-banner\"", channels);
        var marketer = await app.SignedInAsync(Roles.Marketer);
        var calendar = WebUtility.HtmlDecode(await marketer.GetStringAsync("/Calendar"));
        Assert.Contains("id=\"reconnect-banner\"", calendar);
        Assert.Contains($"{account.Name}", calendar);
        Assert.Contains("an admin reconnects them on Channels", calendar);

        // Reconnect: the same X account signs in again; the mark, the reason and the notice are cleared.
        var (again, _) = await flow.StartAsync("X", null, account.Id, adminId, browser, CancellationToken.None);
        var back2 = QueryHelpers.ParseQuery((await ConnectDriver.ConsentAsync(again!, allow: true)).Query);
        var reconnected = await flow.CompleteAsync(back2["state"], back2["code"], null, null, adminId, browser, new Actor(adminId, "Admin Tester"), CancellationToken.None);
        Assert.Null(reconnected.Error);
        Assert.Equal(account.Id, reconnected.AccountId);
        account = await AccountAsync();
        Assert.False(account.NeedsReconnect);
        Assert.Null(account.ReconnectReason);
        Assert.True(x.Authorization.IsValidAccessToken(credentials.Unprotect(account.EncryptedCredentials)["access_token"]));
        Assert.DoesNotContain("id=\"reconnect-banner\"", await marketer.GetStringAsync("/Calendar"));
        Assert.All(await ConnectDriver.WithDbAsync(app, db => db.Notifications.Where(n => n.GroupKey == ReconnectNotice.GroupKey(account.Id)).ToListAsync()),
            n => Assert.NotNull(n.ReadAt));

        // Leave nothing that needs reconnecting or refreshing for the collection's other tests.
        await ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.IsEnabled, false).SetProperty(a => a.ConnectedWith, (string?)null)));
    }

    [Fact]
    public async Task A_revoked_mastodon_token_without_an_end_is_found_by_checking_it_and_reconnect_fixes_it()
    {
        await using var mastodon = new FakeMastodonApi();
        var admin = await app.SignedInAsync(Roles.Admin);
        await ConnectDriver.ConnectMastodonAsync(admin, mastodon);
        var account = (await ConnectDriver.AccountAtAsync(app, mastodon.BaseUri))!;
        await using var scope = app.Services.CreateAsyncScope();
        var refresher = scope.ServiceProvider.GetRequiredService<TokenRefresher>();

        Assert.Equal(TokenRefresher.RefreshOutcome.StillValid, await refresher.RefreshAsync(account.Id, force: false, CancellationToken.None));
        mastodon.Authorization.RevokeAll(); // the person revoked Publisher under Preferences → Authorized apps
        Assert.Equal(TokenRefresher.RefreshOutcome.NeedsReconnect, await refresher.RefreshAsync(account.Id, force: false, CancellationToken.None));
        Assert.True((await ConnectDriver.AccountAtAsync(app, mastodon.BaseUri))!.NeedsReconnect);

        // Reconnect from the account's own button: the instance is the account's, the same account is updated.
        var back = await ConnectDriver.ConnectMastodonAsync(admin, mastodon, account.Id);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        var after = (await ConnectDriver.AccountAtAsync(app, mastodon.BaseUri))!;
        Assert.Equal(account.Id, after.Id);
        Assert.False(after.NeedsReconnect);
        Assert.Contains("Reconnected", WebUtility.HtmlDecode(await admin.GetStringAsync("/Channels")));
        Assert.Equal(TokenRefresher.RefreshOutcome.StillValid, await refresher.RefreshAsync(account.Id, force: false, CancellationToken.None));
    }

    private bool IsAdmin(string userId)
    {
        using var scope = app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = users.FindByIdAsync(userId).GetAwaiter().GetResult();
        return user is not null && users.IsInRoleAsync(user, Roles.Admin).GetAwaiter().GetResult();
    }

    private Task<int> SetExpiryAsync(Guid id, DateTimeOffset at) =>
        ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.TokenExpiresAt, at)));
}
