using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Connect;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Testing.Fakes;

namespace Publisher.Web.Tests.Connect;

/// <summary>
/// Connecting a Mastodon account through the instance's own consent page, against a fake instance on loopback that
/// checks the client, the redirect URI, the code and the PKCE verifier as Mastodon does; on the real PostgreSQL.
/// </summary>
[Collection(WebAppCollection.Name)]
public class MastodonConnectTests(PublisherWebApp app)
{
    [Fact]
    public async Task Connect_registers_publisher_on_the_instance_exchanges_the_code_with_pkce_and_stores_the_token_encrypted()
    {
        await using var mastodon = new FakeMastodonApi();
        var admin = await app.SignedInAsync(Roles.Admin);

        var authorize = await ConnectDriver.StartAsync(admin, "Mastodon", mastodon.BaseUri.ToString());
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(authorize.Query);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal("read:accounts read:statuses write:statuses write:media", query["scope"]);
        Assert.Equal("http://127.0.0.1:5080/Channels/Connect/Callback", query["redirect_uri"]); // built from the public address
        var registration = Assert.Single(mastodon.Requests, r => r.Path == "/api/v1/apps");
        Assert.Contains("redirect_uris=http%3A%2F%2F127.0.0.1%3A5080%2FChannels%2FConnect%2FCallback", registration.Body);

        var returned = await ConnectDriver.ConsentAsync(authorize, allow: true);
        var back = await ConnectDriver.ReturnAsync(admin, returned);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        Assert.StartsWith("/Channels#account-", back.Headers.Location!.ToString());

        var account = await ConnectDriver.AccountAtAsync(app, mastodon.BaseUri);
        Assert.NotNull(account);
        Assert.Equal("Mastodon", account.Kind);
        Assert.Equal("Mastodon", account.ConnectedWith);
        Assert.Equal("109000", account.ExternalId);
        Assert.Equal($"@publisher@{mastodon.BaseUri.Host}", account.Handle);
        Assert.True(account.IsEnabled);
        Assert.False(account.NeedsReconnect);
        Assert.Null(account.TokenExpiresAt); // Mastodon's tokens do not expire
        var grant = Assert.Single(mastodon.Authorization.Grants);
        Assert.DoesNotContain(grant.AccessToken, account.EncryptedCredentials);
        var stored = app.Services.GetRequiredService<ChannelCredentials>().Unprotect(account.EncryptedCredentials);
        Assert.Equal(grant.AccessToken, stored["access_token"]);
        Assert.True(mastodon.Authorization.IsValidAccessToken(stored["access_token"]));
        // The token request carried the verifier whose SHA-256 was the challenge (the fake refuses any other).
        var tokenRequest = Assert.Single(mastodon.Requests, r => r.Path == "/oauth/token");
        Assert.Contains("code_verifier=", tokenRequest.Body);
        Assert.Contains("Connected Publisher", WebUtility.HtmlDecode(await admin.GetStringAsync("/Channels")));

        // The same answer again: the state is spent.
        var replay = await ConnectDriver.ReturnAsync(admin, returned);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Contains("already been used", WebUtility.HtmlDecode(await replay.Content.ReadAsStringAsync()));

        // A second Connect to the same instance reuses the registered client and updates the same account.
        await ConnectDriver.ConnectMastodonAsync(admin, mastodon);
        Assert.Single(mastodon.Requests, r => r.Path == "/api/v1/apps");
        Assert.Equal(1, await ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.CountAsync(a => a.BaseAddress == account.BaseAddress)));
        // … and the token it replaced is revoked at the instance.
        Assert.False(mastodon.Authorization.IsValidAccessToken(stored["access_token"]));
        Assert.Equal(2, mastodon.Authorization.Grants.Count);
    }

    [Fact]
    public async Task Denying_consent_connects_nothing_and_says_what_to_do()
    {
        await using var mastodon = new FakeMastodonApi();
        var admin = await app.SignedInAsync(Roles.Admin);
        var back = await ConnectDriver.ReturnAsync(admin, await ConnectDriver.ConsentAsync(await ConnectDriver.StartAsync(admin, "Mastodon", mastodon.BaseUri.ToString()), allow: false));
        Assert.Equal(HttpStatusCode.BadRequest, back.StatusCode);
        Assert.Contains("You did not allow Publisher on Mastodon, so nothing was connected. To connect the account, press Connect again and choose Allow",
            WebUtility.HtmlDecode(await back.Content.ReadAsStringAsync()));
        Assert.Null(await ConnectDriver.AccountAtAsync(app, mastodon.BaseUri));
        Assert.DoesNotContain(mastodon.Requests, r => r.Path == "/oauth/token");
    }

    [Fact]
    public async Task The_answer_is_refused_in_another_browser_or_for_another_admin_and_still_works_in_the_right_one()
    {
        await using var mastodon = new FakeMastodonApi();
        var admin = await app.SignedInAsync(Roles.Admin);
        var back = await ConnectDriver.ConsentAsync(await ConnectDriver.StartAsync(admin, "Mastodon", mastodon.BaseUri.ToString()), allow: true);

        // The same admin signed in elsewhere (no Connect cookie there), as a link sent to them would be opened.
        var elsewhere = await app.SignedInAsync(Roles.Admin);
        var refused = await ConnectDriver.ReturnAsync(elsewhere, back);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("started by another person or in another browser", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()));
        // Someone without the Admin role never reaches it.
        var marketer = await app.SignedInAsync(Roles.Marketer);
        Assert.NotEqual(HttpStatusCode.OK, (await ConnectDriver.ReturnAsync(marketer, back)).StatusCode);
        Assert.Null(await ConnectDriver.AccountAtAsync(app, mastodon.BaseUri));

        // Neither spent the state: the admin's own browser finishes the Connect.
        Assert.Equal(HttpStatusCode.Redirect, (await ConnectDriver.ReturnAsync(admin, back)).StatusCode);
        Assert.NotNull(await ConnectDriver.AccountAtAsync(app, mastodon.BaseUri));
    }

    [Fact]
    public async Task An_expired_an_unknown_or_a_missing_state_is_refused_and_nothing_is_saved()
    {
        await using var mastodon = new FakeMastodonApi();
        var admin = await app.SignedInAsync(Roles.Admin);
        var back = await ConnectDriver.ConsentAsync(await ConnectDriver.StartAsync(admin, "Mastodon", mastodon.BaseUri.ToString()), allow: true);
        await ConnectDriver.WithDbAsync(app, db => db.ConnectAttempts.Where(a => a.Instance == mastodon.BaseUri.GetLeftPart(UriPartial.Authority))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1))));
        var expired = await ConnectDriver.ReturnAsync(admin, back);
        Assert.Equal(HttpStatusCode.BadRequest, expired.StatusCode);
        Assert.Contains("has expired. Nothing was connected: press Connect again on Channels.", WebUtility.HtmlDecode(await expired.Content.ReadAsStringAsync()));

        var code = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(back.Query)["code"];
        var unknown = await admin.GetAsync($"/Channels/Connect/Callback?code={code}&state=not-a-state-publisher-made");
        Assert.Contains("does not belong to any Connect Publisher started", WebUtility.HtmlDecode(await unknown.Content.ReadAsStringAsync()));
        var missing = await admin.GetAsync($"/Channels/Connect/Callback?code={code}");
        Assert.Contains("carried no state", WebUtility.HtmlDecode(await missing.Content.ReadAsStringAsync()));
        Assert.Null(await ConnectDriver.AccountAtAsync(app, mastodon.BaseUri));
        Assert.DoesNotContain(mastodon.Requests, r => r.Path == "/oauth/token");
    }

    [Fact]
    public async Task A_token_endpoint_error_is_shown_with_what_to_do_and_nothing_is_saved()
    {
        await using var mastodon = new FakeMastodonApi();
        var admin = await app.SignedInAsync(Roles.Admin);
        var back = await ConnectDriver.ConsentAsync(await ConnectDriver.StartAsync(admin, "Mastodon", mastodon.BaseUri.ToString()), allow: true);
        mastodon.FailNext(1, 400, """{"error":"invalid_grant","error_description":"The provided authorization grant is invalid, expired, revoked"}""", pathContains: "/oauth/token");
        var failed = await ConnectDriver.ReturnAsync(admin, back);
        Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
        Assert.Contains("Mastodon refused to give Publisher a token (invalid_grant: The provided authorization grant is invalid, expired, revoked). Nothing was connected: press Connect again on Channels.",
            WebUtility.HtmlDecode(await failed.Content.ReadAsStringAsync()));
        Assert.Null(await ConnectDriver.AccountAtAsync(app, mastodon.BaseUri));
    }

    [Fact]
    public async Task A_server_that_is_not_an_address_or_cannot_be_reached_is_refused_before_anything_is_stored()
    {
        var admin = await app.SignedInAsync(Roles.Admin);
        var bad = await ConnectDriver.PostStartAsync(admin, "Mastodon", "https://mastodon.example/some/path");
        Assert.Equal(HttpStatusCode.Redirect, bad.StatusCode);
        Assert.Contains("is not a server&#x27;s address", await admin.GetStringAsync("/Channels"));

        await using var closed = new FakeMastodonApi();
        var address = closed.BaseUri.ToString();
        await closed.DisposeAsync(); // nothing listens there now
        Assert.Equal(HttpStatusCode.Redirect, (await ConnectDriver.PostStartAsync(admin, "Mastodon", address)).StatusCode);
        var page = WebUtility.HtmlDecode(await admin.GetStringAsync("/Channels"));
        Assert.Contains($"Could not connect to {closed.BaseUri.Host}", page);
        Assert.Equal(0, await ConnectDriver.WithDbAsync(app, db => db.OAuthAppRegistrations.CountAsync(r => r.Instance == closed.BaseUri.GetLeftPart(UriPartial.Authority))));
    }

    [Fact]
    public async Task The_fake_instance_refuses_a_code_with_the_wrong_verifier_another_redirect_uri_or_a_second_use()
    {
        await using var mastodon = new FakeMastodonApi();
        await using var scope = app.Services.CreateAsyncScope();
        var provider = scope.ServiceProvider.GetServices<ConnectProvider>().Single(p => p.Network == "Mastodon");
        const string redirect = "http://127.0.0.1:5080/Channels/Connect/Callback";
        var client = await provider.ClientAsync(mastodon.BaseUri, redirect, CancellationToken.None);

        async Task<string> CodeAsync(string verifier)
        {
            var back = await ConnectDriver.ConsentAsync(provider.AuthorizeUri(client, redirect, "s-" + Guid.NewGuid(), Pkce.Challenge(verifier)), allow: true);
            return Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(back.Query)["code"]!;
        }

        var verifier = Pkce.NewVerifier();
        var wrong = await Assert.ThrowsAsync<OAuthException>(async () => await provider.ExchangeCodeAsync(client, await CodeAsync(verifier), redirect, Pkce.NewVerifier(), CancellationToken.None));
        Assert.Equal("invalid_grant", wrong.Error);
        Assert.Contains("code verifier does not match", wrong.Description);

        var elsewhere = await Assert.ThrowsAsync<OAuthException>(async () => await provider.ExchangeCodeAsync(client, await CodeAsync(verifier), redirect + "/other", verifier, CancellationToken.None));
        Assert.Contains("redirect_uri does not match", elsewhere.Description);

        var code = await CodeAsync(verifier);
        var token = await provider.ExchangeCodeAsync(client, code, redirect, verifier, CancellationToken.None);
        Assert.True(mastodon.Authorization.IsValidAccessToken(token.AccessToken));
        var again = await Assert.ThrowsAsync<OAuthException>(() => provider.ExchangeCodeAsync(client, code, redirect, verifier, CancellationToken.None));
        Assert.Contains("already been used", again.Description);
        Assert.False(mastodon.Authorization.IsValidAccessToken(token.AccessToken)); // what the replayed code gave is taken back

        // A redirect URI the app never registered is not even shown a consent page.
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var foreign = await browser.GetAsync(provider.AuthorizeUri(client, "https://attacker.example/cb", "s", Pkce.Challenge(verifier)));
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Equal("The redirect uri included is not valid.", mastodon.Authorization.LastAuthorizeError);
    }
}
