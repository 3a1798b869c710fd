using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Core.Connect;
using Publisher.Testing.Fakes;

namespace Publisher.Web.Tests.Browser;

/// <summary>The real app on Kestrel with its LinkedIn Connect pointed at a fake LinkedIn that knows the app's redirect address.</summary>
public sealed class LinkedInConnectSite : IAsyncLifetime
{
    public FakeLinkedInApi LinkedIn { get; } = new();
    public ConnectSite Site { get; }

    public LinkedInConnectSite()
    {
        Site = new ConnectSite
        {
            Configure = (app, baseUrl) =>
            {
                LinkedIn.RegisterOAuthClient(baseUrl + ConnectFlow.CallbackPath);
                app.Settings["Connect:LinkedIn:ClientId"] = FakeLinkedInApi.OAuthClientId;
                app.Settings["Connect:LinkedIn:ClientSecret"] = FakeLinkedInApi.OAuthClientSecret;
                app.Settings["Connect:LinkedIn:AuthorizeUrl"] = new Uri(LinkedIn.BaseUri, "oauth/v2/authorization").ToString();
                app.Settings["Connect:LinkedIn:OAuthUrl"] = new Uri(LinkedIn.BaseUri, "oauth/v2/").ToString();
                app.Settings["Connect:LinkedIn:ApiUrl"] = LinkedIn.BaseUri.ToString();
            },
        };
    }

    public Task InitializeAsync() => Site.InitializeAsync();

    public async Task DisposeAsync()
    {
        await Site.DisposeAsync();
        await LinkedIn.DisposeAsync();
    }
}

[Collection(BrowserCollection.Name)]
public class LinkedInChoiceBrowserTests(LinkedInConnectSite fixture) : IClassFixture<LinkedInConnectSite>
{
    [Fact]
    public async Task An_admin_chooses_one_of_two_linkedin_pages_and_exactly_that_page_becomes_a_channel_account_with_its_token_encrypted()
    {
        var linkedIn = fixture.LinkedIn;
        linkedIn.Organizations.AddRange([new(6101, "Northwind Coffee", "northwind-coffee"), new(6102, "Northwind Wholesale", "northwind-wholesale")]);
        var site = fixture.Site;
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignedInAdminAsync(browser);

        await page.GotoAsync(site.BaseUrl + "/Channels");
        await page.ClickAsync("#connect-linkedin");

        // LinkedIn's consent page, then back in Publisher with the pages the member administers to choose from.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(linkedIn.BaseUri + "oauth/v2/authorization?")));
        await Assertions.Expect(page.Locator("#scopes")).ToContainTextAsync("w_organization_social");
        await page.ClickAsync("#allow");
        await Assertions.Expect(page.Locator("#connect-choices")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#connect-choices input[type=checkbox]")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#connect-choices .already-connected")).ToHaveCountAsync(0);
        await page.GetByLabel("Northwind Wholesale (LinkedIn page)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Connect the ticked ones" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/Channels#account-"));
        await Assertions.Expect(page.Locator(".alert-ok")).ToContainTextAsync("Connected Northwind Wholesale (LinkedIn page). It is switched on and ready to publish.");
        var row = page.Locator("tr", new PageLocatorOptions { Has = page.Locator("td:text-is('linkedin.com/company/northwind-wholesale')") });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator("button", new LocatorLocatorOptions { HasText = "Reconnect" })).ToBeVisibleAsync();

        await using var scope = site.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var accounts = await db.ChannelAccounts.AsNoTracking().Where(a => a.Kind == "LinkedIn" && a.ConnectedWith == "LinkedIn").ToListAsync();
        var account = Assert.Single(accounts);
        Assert.Equal("urn:li:organization:6102", account.ExternalId);
        Assert.Equal("urn:li:organization:6102", System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(account.SettingsJson!)!["author_urn"]);
        var grant = Assert.Single(linkedIn.Authorization.Grants);
        Assert.DoesNotContain(grant.AccessToken, account.EncryptedCredentials);
        var stored = scope.ServiceProvider.GetRequiredService<ChannelCredentials>().Unprotect(account.EncryptedCredentials);
        Assert.Equal(grant.AccessToken, stored["access_token"]);

        // Connect again: the page connected already says so; both ticked, each is its own account (the first renewed, not doubled).
        await page.GotoAsync(site.BaseUrl + "/Channels");
        await page.ClickAsync("#connect-linkedin");
        await page.ClickAsync("#allow");
        await Assertions.Expect(page.Locator("#connect-choices")).ToBeVisibleAsync();
        var wholesale = page.Locator("#connect-choices label", new PageLocatorOptions { HasText = "Northwind Wholesale (LinkedIn page)" });
        await Assertions.Expect(wholesale.Locator(".already-connected")).ToContainTextAsync($"already connected as “{account.Name}”");
        await Assertions.Expect(page.Locator("#connect-choices .already-connected")).ToHaveCountAsync(1);
        await page.GetByLabel("Northwind Coffee (LinkedIn page)").CheckAsync();
        await wholesale.Locator("input[type=checkbox]").CheckAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Connect the ticked ones" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/Channels#account-"));
        await Assertions.Expect(page.Locator(".alert-ok")).ToContainTextAsync("Connected Northwind Coffee (LinkedIn page) and Northwind Wholesale (LinkedIn page). They are switched on and ready to publish.");
        var both = await db.ChannelAccounts.AsNoTracking().Where(a => a.Kind == "LinkedIn" && a.ConnectedWith == "LinkedIn").OrderBy(a => a.ExternalId).ToListAsync();
        Assert.Equal(["urn:li:organization:6101", "urn:li:organization:6102"], both.Select(a => a.ExternalId));
        Assert.Equal(account.Id, both[1].Id);
        await Assertions.Expect(page.Locator("tr", new PageLocatorOptions { Has = page.Locator("td:text-is('linkedin.com/company/northwind-coffee')") })).ToHaveCountAsync(1);
    }
}
