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
/// Connect for LinkedIn pages, Facebook Pages with their Instagram accounts (Facebook Login) and Threads, each against a
/// fake authorization server as strict as the network's (client, exact redirect URI, single-use code, PKCE where the
/// network takes it), on the real PostgreSQL: the pages the admin manages are listed and only the one chosen is connected.
/// </summary>
[Collection(WebAppCollection.Name)]
public class PageConnectTests(PublisherWebApp app)
{
    private const string Redirect = "http://127.0.0.1:5080/Channels/Connect/Callback";

    private sealed record Harness(ConnectFlow Flow, ConnectProvider Provider, TokenRefresher Refresher, ChannelCredentials Credentials, string AdminId, string Browser, Actor Actor, AsyncServiceScope Scope);

    private async Task<Harness> HarnessAsync(ConnectOptions connect, Func<IServiceProvider, IOptions<ConnectOptions>, ConnectProvider> provider)
    {
        var options = Options.Create(connect);
        var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        ConnectProvider[] providers = [provider(services, options)];
        var adminId = (await services.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(PublisherWebApp.EmailFor(Roles.Admin)))!.Id;
        return new Harness(
            ActivatorUtilities.CreateInstance<ConnectFlow>(services, providers.AsEnumerable(), options), providers[0],
            ActivatorUtilities.CreateInstance<TokenRefresher>(services, providers.AsEnumerable(), options),
            services.GetRequiredService<ChannelCredentials>(), adminId, Pkce.NewSecret(), new Actor(adminId, "Admin Tester"), scope);
    }

    private static async Task<ConnectOutcome> ConnectAsync(Harness h, string network)
    {
        var (authorize, error) = await h.Flow.StartAsync(network, null, null, h.AdminId, h.Browser, CancellationToken.None);
        Assert.Null(error);
        var back = QueryHelpers.ParseQuery((await ConnectDriver.ConsentAsync(authorize!, allow: true)).Query);
        return await h.Flow.CompleteAsync(back["state"], back["code"], null, null, h.AdminId, h.Browser, h.Actor, CancellationToken.None);
    }

    private Task<ChannelAccount> AccountAsync(Guid? id) => ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.AsNoTracking().SingleAsync(a => a.Id == id));

    private static Dictionary<string, string> Settings(ChannelAccount account) => System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(account.SettingsJson!)!;

    public static ConnectOptions LinkedInOptions(FakeLinkedInApi linkedIn) => new()
    {
        LinkedIn = new OAuthNetworkOptions
        {
            ClientId = FakeLinkedInApi.OAuthClientId, ClientSecret = FakeLinkedInApi.OAuthClientSecret,
            AuthorizeUrl = new Uri(linkedIn.BaseUri, "oauth/v2/authorization").ToString(), OAuthUrl = new Uri(linkedIn.BaseUri, "oauth/v2/").ToString(),
            ApiUrl = linkedIn.BaseUri.ToString(), Scopes = string.Join(' ', FakeLinkedInApi.OAuthScopes),
        },
    };

    [Fact]
    public async Task LinkedIn_lists_the_pages_the_member_administers_and_connects_only_the_one_chosen()
    {
        await using var linkedIn = new FakeLinkedInApi();
        linkedIn.RegisterOAuthClient(Redirect);
        linkedIn.Organizations.AddRange([new(5101, "Northwind Coffee", "northwind-coffee"), new(5102, "Northwind Wholesale", "northwind-wholesale"), new(5103, "Someone Else's Page", "else", Role: "ANALYST")]);
        var h = await HarnessAsync(LinkedInOptions(linkedIn), (s, o) => new LinkedInConnect(s.GetRequiredService<IHttpClientFactory>(), o));
        await using var _ = h.Scope;

        var (authorize, _) = await h.Flow.StartAsync("LinkedIn", null, null, h.AdminId, h.Browser, CancellationToken.None);
        var query = QueryHelpers.ParseQuery(authorize!.Query);
        Assert.Equal("r_organization_admin w_organization_social r_organization_social", query["scope"]);
        Assert.False(query.ContainsKey("code_challenge")); // LinkedIn takes no PKCE from a web app: its secret is what it checks
        var back = QueryHelpers.ParseQuery((await ConnectDriver.ConsentAsync(authorize, allow: true)).Query);
        var outcome = await h.Flow.CompleteAsync(back["state"], back["code"], null, null, h.AdminId, h.Browser, h.Actor, CancellationToken.None);

        Assert.Null(outcome.Error);
        Assert.Null(outcome.AccountId);
        Assert.Equal(["Northwind Coffee (LinkedIn page)", "Northwind Wholesale (LinkedIn page)"], outcome.Choices!.Select(c => c.Name));
        var token = Assert.Single(linkedIn.Requests, r => r.Path == "/oauth/v2/accessToken");
        Assert.Contains("client_secret=" + FakeLinkedInApi.OAuthClientSecret, token.Body);
        Assert.DoesNotContain("code_verifier", token.Body);
        Assert.All(linkedIn.Requests.Where(r => r.Path.StartsWith("/rest/", StringComparison.Ordinal)), r => Assert.Equal("2.0.0", r.Header("X-Restli-Protocol-Version")));
        Assert.Equal(0, await ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.CountAsync(a => a.ExternalId == "urn:li:organization:5101" || a.ExternalId == "urn:li:organization:5102")));

        var chosen = await h.Flow.ChooseAsync(outcome.AttemptId!.Value, "urn:li:organization:5102", h.AdminId, h.Browser, h.Actor, CancellationToken.None);
        Assert.Null(chosen.Error);
        Assert.True(chosen.Created);
        var account = await AccountAsync(chosen.AccountId);
        Assert.Equal(("LinkedIn", "LinkedIn", "urn:li:organization:5102", "linkedin.com/company/northwind-wholesale"), (account.Kind, account.ConnectedWith, account.ExternalId, account.Handle));
        Assert.Equal("urn:li:organization:5102", Settings(account)["author_urn"]);
        Assert.InRange(account.TokenExpiresAt!.Value, DateTimeOffset.UtcNow.AddDays(59), DateTimeOffset.UtcNow.AddDays(61));
        var stored = h.Credentials.Unprotect(account.EncryptedCredentials);
        Assert.True(linkedIn.Authorization.IsValidAccessToken(stored["access_token"]));
        Assert.DoesNotContain(stored["access_token"], account.EncryptedCredentials);
        Assert.Equal(0, await ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.CountAsync(a => a.ExternalId == "urn:li:organization:5101")));

        // The choice is made once; a choice not on the list is refused.
        var again = await h.Flow.ChooseAsync(outcome.AttemptId.Value, "urn:li:organization:5101", h.AdminId, h.Browser, h.Actor, CancellationToken.None);
        Assert.Contains("already been made", again.Error);
        Assert.Equal(0, await ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.CountAsync(a => a.ExternalId == "urn:li:organization:5101")));

        // No refresh token from LinkedIn: at its end the account asks for a reconnect instead of failing a post.
        await ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.TokenExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-5))));
        Assert.Equal(TokenRefresher.RefreshOutcome.NeedsReconnect, await h.Refresher.RefreshAsync(account.Id, force: false, CancellationToken.None));
        Assert.Contains("LinkedIn token expired", (await AccountAsync(account.Id)).ReconnectReason);
        await LeaveAsync(account.Id);
    }

    [Fact]
    public async Task A_linkedin_member_who_administers_no_page_is_told_so_and_the_token_is_revoked()
    {
        await using var linkedIn = new FakeLinkedInApi();
        linkedIn.RegisterOAuthClient(Redirect);
        linkedIn.Organizations.Add(new(5201, "Read-only Page", "ro", Role: "ANALYST"));
        var h = await HarnessAsync(LinkedInOptions(linkedIn), (s, o) => new LinkedInConnect(s.GetRequiredService<IHttpClientFactory>(), o));
        await using var _ = h.Scope;
        var outcome = await ConnectAsync(h, "LinkedIn");
        Assert.Contains("manages nothing Publisher can publish to", outcome.Error);
        var revoke = Assert.Single(linkedIn.Requests, r => r.Path == "/oauth/v2/revoke");
        Assert.Contains("client_secret=", revoke.Body);
        Assert.All(linkedIn.Authorization.Grants, g => Assert.True(g.Revoked));
    }

    [Fact]
    public async Task Facebook_login_lists_pages_and_their_instagram_accounts_and_connects_the_instagram_account_chosen_with_its_page_token()
    {
        await using var facebook = new FakeFacebookLogin();
        facebook.RegisterApp(Redirect);
        facebook.Pages.AddRange([new("7001", "Northwind Coffee", "17841400001", "northwind.coffee"), new("7002", "Northwind Events")]);
        var h = await HarnessAsync(new ConnectOptions
        {
            Facebook = new OAuthNetworkOptions
            {
                ClientId = FakeFacebookLogin.AppId, ClientSecret = FakeFacebookLogin.AppSecret,
                AuthorizeUrl = new Uri(facebook.BaseUri, "v21.0/dialog/oauth").ToString(), ApiUrl = facebook.BaseUri.ToString(),
                Scopes = string.Join(',', FakeFacebookLogin.Scopes),
            },
        }, (s, o) => new FacebookConnect(s.GetRequiredService<IHttpClientFactory>(), o));
        await using var _ = h.Scope;

        var outcome = await ConnectAsync(h, "Facebook");
        Assert.Null(outcome.Error);
        Assert.Equal(["Northwind Coffee (Facebook Page)", "@northwind.coffee (Instagram)", "Northwind Events (Facebook Page)"], outcome.Choices!.Select(c => c.Name));
        // The code went with its PKCE verifier, then the one-hour token was exchanged for a long-lived one.
        var exchanges = facebook.Requests.Where(r => r.Path == "/v21.0/oauth/access_token").ToList();
        Assert.Equal(2, exchanges.Count);
        Assert.Contains("code_verifier=", exchanges[0].QueryString);
        Assert.Contains("grant_type=fb_exchange_token", exchanges[1].QueryString);
        var grant = Assert.Single(facebook.Authorization.Grants);
        Assert.Equal(1, grant.Refreshes);

        var chosen = await h.Flow.ChooseAsync(outcome.AttemptId!.Value, "17841400001", h.AdminId, h.Browser, h.Actor, CancellationToken.None);
        Assert.Null(chosen.Error);
        var account = await AccountAsync(chosen.AccountId);
        Assert.Equal(("Instagram", "Facebook", "17841400001", "@northwind.coffee"), (account.Kind, account.ConnectedWith, account.ExternalId, account.Handle));
        Assert.Equal("17841400001", Settings(account)["ig_user_id"]);
        Assert.Null(account.TokenExpiresAt); // a Page token got with a long-lived user token does not end
        var stored = h.Credentials.Unprotect(account.EncryptedCredentials);
        Assert.Contains(stored["access_token"], facebook.PageTokensOf("7001"));
        Assert.True(facebook.IsLivePageToken(stored["access_token"]));
        Assert.Equal(grant.AccessToken, stored["user_access_token"]);
        Assert.Equal(0, await ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.CountAsync(a => a.ExternalId == "7001" || a.ExternalId == "7002")));

        // A token without an end is checked with Graph; revoking the login (what Disconnect does) ends the Page token too.
        Assert.Equal(TokenRefresher.RefreshOutcome.StillValid, await h.Refresher.RefreshAsync(account.Id, force: false, CancellationToken.None));
        var client = (await h.Provider.ClientForAsync(account, stored, CancellationToken.None))!;
        await h.Provider.RevokeAsync(client, h.Provider.RevocableToken(stored)!, CancellationToken.None);
        Assert.Single(facebook.Requests, r => r.Method == "DELETE" && r.Path == "/v21.0/me/permissions");
        Assert.False(facebook.IsLivePageToken(stored["access_token"]));
        Assert.Equal(TokenRefresher.RefreshOutcome.NeedsReconnect, await h.Refresher.RefreshAsync(account.Id, force: false, CancellationToken.None));
        Assert.Contains("Facebook refused its token (invalid_token", (await AccountAsync(account.Id)).ReconnectReason);
        await LeaveAsync(account.Id);
    }

    [Fact]
    public async Task Threads_connects_with_a_long_lived_token_that_the_worker_renews_and_a_revoked_one_asks_for_a_reconnect()
    {
        await using var threads = new FakeThreadsApi();
        threads.RegisterOAuthClient(Redirect);
        var h = await HarnessAsync(new ConnectOptions
        {
            Threads = new OAuthNetworkOptions
            {
                ClientId = FakeThreadsApi.OAuthClientId, ClientSecret = FakeThreadsApi.OAuthClientSecret,
                AuthorizeUrl = new Uri(threads.BaseUri, "oauth/authorize").ToString(), ApiUrl = threads.BaseUri.ToString(),
                Scopes = "threads_basic,threads_content_publish,threads_manage_replies,threads_manage_insights",
            },
        }, (s, o) => new ThreadsConnect(s.GetRequiredService<IHttpClientFactory>(), o));
        await using var _ = h.Scope;

        var outcome = await ConnectAsync(h, "Threads");
        Assert.Null(outcome.Error);
        Assert.True(outcome.Created); // one account: connected without a choice
        var account = await AccountAsync(outcome.AccountId);
        Assert.Equal(("Threads", "Threads", threads.UserId, "@northwind.coffee"), (account.Kind, account.ConnectedWith, account.ExternalId, account.Handle));
        Assert.Equal(threads.UserId, Settings(account)["user_id"]);
        Assert.True(account.AllowThreads);
        Assert.InRange(account.TokenExpiresAt!.Value, DateTimeOffset.UtcNow.AddDays(59), DateTimeOffset.UtcNow.AddDays(61)); // the 60-day token, not the one-hour one
        var token = Assert.Single(threads.Requests, r => r.Path == "/oauth/access_token");
        Assert.DoesNotContain("code_verifier", token.Body);
        Assert.Contains("client_secret=" + FakeThreadsApi.OAuthClientSecret, token.Body);
        Assert.Single(threads.Requests, r => r.Path == "/access_token" && r.QueryString.Contains("grant_type=th_exchange_token"));
        var first = h.Credentials.Unprotect(account.EncryptedCredentials)["access_token"];
        Assert.True(threads.Authorization.IsValidAccessToken(first));

        // A token under a day old cannot be renewed (the fake refuses as Threads documents), and the worker does not try,
        // even when told to: the token still works.
        var client = (await h.Provider.ClientForAsync(account, h.Credentials.Unprotect(account.EncryptedCredentials), CancellationToken.None))!;
        var tooYoung = await Assert.ThrowsAsync<OAuthException>(() => h.Provider.RefreshAsync(client, first, CancellationToken.None));
        Assert.False(tooYoung.GrantRefused);
        Assert.Contains("at least 24 hours old", tooYoung.Description);
        var triedSoFar = threads.Requests.Count(r => r.Path == "/refresh_access_token");
        Assert.Equal(TokenRefresher.RefreshOutcome.NothingToDo, await h.Refresher.RefreshAsync(account.Id, force: true, CancellationToken.None));
        Assert.Equal(triedSoFar, threads.Requests.Count(r => r.Path == "/refresh_access_token"));
        Assert.False((await AccountAsync(account.Id)).NeedsReconnect);
        Assert.True(threads.Authorization.IsValidAccessToken(first));

        // Near its end (59 days later) the worker renews it with th_refresh_token; the old token stops working.
        threads.Authorization.Age(TimeSpan.FromDays(59));
        await ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.TokenExpiresAt, DateTimeOffset.UtcNow.AddMinutes(10))));
        Assert.Equal(TokenRefresher.RefreshOutcome.Refreshed, await h.Refresher.RefreshAsync(account.Id, force: false, CancellationToken.None));
        var second = h.Credentials.Unprotect((await AccountAsync(account.Id)).EncryptedCredentials)["access_token"];
        Assert.NotEqual(first, second);
        Assert.True(threads.Authorization.IsValidAccessToken(second));
        Assert.False(threads.Authorization.IsValidAccessToken(first));
        Assert.True((await AccountAsync(account.Id)).TokenExpiresAt > DateTimeOffset.UtcNow.AddDays(59));

        // The person removed Publisher in Threads' settings: the next renewal is refused (Graph's code 190).
        threads.Authorization.RevokeAll();
        await ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.TokenExpiresAt, DateTimeOffset.UtcNow.AddMinutes(10))));
        Assert.Equal(TokenRefresher.RefreshOutcome.NeedsReconnect, await h.Refresher.RefreshAsync(account.Id, force: false, CancellationToken.None));
        Assert.Contains("Threads refused its token (invalid_token", (await AccountAsync(account.Id)).ReconnectReason);
        await LeaveAsync(account.Id);
    }

    [Fact]
    public async Task The_fake_threads_server_refuses_a_redirect_uri_it_does_not_know_a_wrong_secret_and_a_second_use_of_a_code()
    {
        await using var threads = new FakeThreadsApi();
        threads.RegisterOAuthClient(Redirect);
        var options = Options.Create(new ConnectOptions
        {
            Threads = new OAuthNetworkOptions
            {
                ClientId = FakeThreadsApi.OAuthClientId, ClientSecret = FakeThreadsApi.OAuthClientSecret,
                AuthorizeUrl = new Uri(threads.BaseUri, "oauth/authorize").ToString(), ApiUrl = threads.BaseUri.ToString(), Scopes = "threads_basic,threads_content_publish",
            },
        });
        await using var scope = app.Services.CreateAsyncScope();
        var provider = new ThreadsConnect(scope.ServiceProvider.GetRequiredService<IHttpClientFactory>(), options);
        var client = await provider.ClientAsync(null, Redirect, CancellationToken.None);
        async Task<string> CodeAsync() => QueryHelpers.ParseQuery((await ConnectDriver.ConsentAsync(provider.AuthorizeUri(client, Redirect, "s-" + Guid.NewGuid(), "unused"), allow: true)).Query)["code"]!;

        var code = await CodeAsync();
        var token = await provider.ExchangeCodeAsync(client, code, Redirect, "unused", CancellationToken.None);
        Assert.True(threads.Authorization.IsValidAccessToken(token.AccessToken));
        var twice = await Assert.ThrowsAsync<OAuthException>(() => provider.ExchangeCodeAsync(client, code, Redirect, "unused", CancellationToken.None));
        Assert.Contains("already been used", twice.Description);
        Assert.False(threads.Authorization.IsValidAccessToken(token.AccessToken)); // what the replayed code gave is taken back

        var wrongSecret = client with { ClientSecret = "not-the-secret" };
        var refused = await Assert.ThrowsAsync<OAuthException>(async () => await provider.ExchangeCodeAsync(wrongSecret, await CodeAsync(), Redirect, "unused", CancellationToken.None));
        Assert.Contains("Client authentication failed", refused.Description);
        var elsewhere = await Assert.ThrowsAsync<OAuthException>(async () => await provider.ExchangeCodeAsync(client, await CodeAsync(), Redirect + "/other", "unused", CancellationToken.None));
        Assert.Contains("redirect_uri does not match", elsewhere.Description);

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var foreign = await browser.GetAsync(provider.AuthorizeUri(client, "https://attacker.example/cb", "s", "unused"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, foreign.StatusCode);
    }

    /// <summary>Leaves nothing connected that the collection's other tests' refresh runs would pick up.</summary>
    [Fact]
    public async Task Several_pages_and_instagram_accounts_chosen_at_once_each_become_their_own_account_and_show_as_connected_next_time()
    {
        await using var facebook = new FakeFacebookLogin();
        facebook.RegisterApp(Redirect);
        facebook.Pages.AddRange([new("7101", "Contoso Roasters", "17841400101", "contoso.roasters"), new("7102", "Contoso Events")]);
        var h = await HarnessAsync(new ConnectOptions
        {
            Facebook = new OAuthNetworkOptions
            {
                ClientId = FakeFacebookLogin.AppId, ClientSecret = FakeFacebookLogin.AppSecret,
                AuthorizeUrl = new Uri(facebook.BaseUri, "v21.0/dialog/oauth").ToString(), ApiUrl = facebook.BaseUri.ToString(),
                Scopes = string.Join(',', FakeFacebookLogin.Scopes),
            },
        }, (s, o) => new FacebookConnect(s.GetRequiredService<IHttpClientFactory>(), o));
        await using var _ = h.Scope;

        var outcome = await ConnectAsync(h, "Facebook");
        Assert.All(outcome.Choices!, c => Assert.Null(c.ConnectedAs));
        var none = await h.Flow.ChooseAsync(outcome.AttemptId!.Value, [], h.AdminId, h.Browser, h.Actor, CancellationToken.None);
        Assert.Contains("Tick at least one", none.Error);

        var chosen = await h.Flow.ChooseAsync(outcome.AttemptId.Value, ["7101", "17841400101"], h.AdminId, h.Browser, h.Actor, CancellationToken.None);
        Assert.Null(chosen.Error);
        Assert.Equal(2, chosen.Count);
        Assert.True(chosen.Created);
        Assert.Equal("Contoso Roasters (Facebook Page) and @contoso.roasters (Instagram)", chosen.AccountName);
        var apiBase = facebook.BaseUri.AbsoluteUri.TrimEnd('/');
        var made = await ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.AsNoTracking().Where(a => a.BaseAddress == apiBase).OrderBy(a => a.Kind).ToListAsync());
        Assert.Equal([("FacebookPage", "7101"), ("Instagram", "17841400101")], made.Select(a => (a.Kind, a.ExternalId!)));
        Assert.All(made, a => Assert.True(a.IsEnabled));
        // The choice is spent: the same list cannot be used again.
        Assert.Contains("already been made", (await h.Flow.ChooseAsync(outcome.AttemptId.Value, ["7102"], h.AdminId, h.Browser, h.Actor, CancellationToken.None)).Error);

        // The next Connect says which are connected already; ticking one again renews it rather than adding another.
        var next = await ConnectAsync(h, "Facebook");
        Assert.Equal([("7101", made[0].Name), ("17841400101", made[1].Name), ("7102", (string?)null)], next.Choices!.Select(c => (c.ExternalId, c.ConnectedAs)));
        var again = await h.Flow.ChooseAsync(next.AttemptId!.Value, ["7101", "7102"], h.AdminId, h.Browser, h.Actor, CancellationToken.None);
        Assert.Null(again.Error);
        Assert.False(again.Created);
        Assert.Equal(3, await ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.CountAsync(a => a.BaseAddress == apiBase)));
        foreach (var id in await ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.Where(a => a.BaseAddress == apiBase).Select(a => a.Id).ToListAsync()))
            await LeaveAsync(id);
    }

    private Task<int> LeaveAsync(Guid id) =>
        ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.IsEnabled, false).SetProperty(a => a.ConnectedWith, (string?)null)));
}
