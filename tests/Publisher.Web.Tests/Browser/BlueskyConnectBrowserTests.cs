using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Publisher.Core.Data;
using Publisher.Core.Publishing;
using Publisher.Testing.Fakes;

namespace Publisher.Web.Tests.Browser;

/// <summary>The real app on Kestrel with Bluesky's handle resolution and PLC directory pointed at a fake PDS (with email sign-in codes on).</summary>
public sealed class BlueskyConnectSite : IAsyncLifetime
{
    public FakeBlueskyPds Pds { get; } = new() { Handle = "brand.browser.test", Did = "did:plc:brandbrowser000000000000", EmailTwoFactor = true };
    public ConnectSite Site { get; }

    public BlueskyConnectSite()
    {
        Site = new ConnectSite
        {
            Configure = (app, _) =>
            {
                app.Settings["Connect:Bluesky:HandleResolverUrl"] = Pds.BaseUri.ToString();
                app.Settings["Connect:Bluesky:PlcDirectoryUrl"] = Pds.BaseUri.ToString();
            },
        };
    }

    public Task InitializeAsync() => Site.InitializeAsync();

    public async Task DisposeAsync()
    {
        await Site.DisposeAsync();
        await Pds.DisposeAsync();
    }
}

[Collection(BrowserCollection.Name)]
public class BlueskyConnectBrowserTests(BlueskyConnectSite fixture) : IClassFixture<BlueskyConnectSite>
{
    [Fact]
    public async Task An_admin_connects_a_bluesky_account_with_its_handle_and_an_app_password_after_being_told_what_was_wrong()
    {
        var (site, pds) = (fixture.Site, fixture.Pds);
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignedInAdminAsync(browser);

        await page.GotoAsync(site.BaseUrl + "/Channels");
        await page.ClickAsync("#connect-bluesky");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/Channels/Connect/Bluesky$"));
        // The form says an app password is wanted, not the account's own, and where to make one.
        await Assertions.Expect(page.Locator("#app-password-hint")).ToContainTextAsync("Use an app password, not your Bluesky password.");
        await Assertions.Expect(page.Locator("#app-password-hint a")).ToHaveAttributeAsync("href", "https://bsky.app/settings/app-passwords");

        // The account's own password (its email codes on): told to use an app password instead.
        await page.FillAsync("#bluesky-identifier", "@brand.browser.test");
        await page.FillAsync("#bluesky-app-password", pds.AccountPassword);
        await page.ClickAsync("#bluesky-connect-submit");
        await Assertions.Expect(page.Locator("#connect-error")).ToContainTextAsync("Publisher needs an app password instead");
        await Assertions.Expect(page.Locator("#bluesky-identifier")).ToHaveValueAsync("@brand.browser.test");
        await Assertions.Expect(page.Locator("#bluesky-app-password")).ToHaveValueAsync(""); // never sent back

        // A wrong app password.
        await page.FillAsync("#bluesky-app-password", "wxyz-wxyz-wxyz-wxyz");
        await page.ClickAsync("#bluesky-connect-submit");
        await Assertions.Expect(page.Locator("#connect-error")).ToContainTextAsync("Bluesky refused the handle and app password");

        // The app password: back on Channels, connected and switched on.
        await page.FillAsync("#bluesky-app-password", pds.AppPassword);
        await page.ClickAsync("#bluesky-connect-submit");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/Channels#account-"));
        await Assertions.Expect(page.Locator(".alert-ok")).ToContainTextAsync("Connected @brand.browser.test on Bluesky. It is switched on and ready to publish.");
        var row = page.Locator("tr", new PageLocatorOptions { Has = page.Locator("td:text-is('brand.browser.test')") });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("Enabled");
        await Assertions.Expect(row.Locator("a.reconnect-link")).ToHaveTextAsync("Reconnect");

        await using var scope = site.App.Services.CreateAsyncScope();
        var account = await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().ChannelAccounts.AsNoTracking().SingleAsync(a => a.ExternalId == pds.Did);
        Assert.Equal(("Bluesky", "Bluesky", true), (account.Kind, account.ConnectedWith, account.IsEnabled));
        var stored = scope.ServiceProvider.GetRequiredService<ChannelCredentials>().Unprotect(account.EncryptedCredentials);
        Assert.Equal((pds.Did, pds.AppPassword), (stored["identifier"], stored["app_password"]));
        Assert.Equal(3, pds.Requests.Count(r => r.Path == "/xrpc/com.atproto.server.createSession"));
    }
}
