using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Playwright;
using Publisher.Core.Domain;
using Publisher.Testing.Fakes;

namespace Publisher.Web.Tests.Browser;

/// <summary>The real app on Kestrel whose public address is its own, so a network sends the browser back to it.</summary>
public sealed class ConnectSite : IAsyncLifetime
{
    public SelfAddressedWebApp App { get; } = new();
    public string BaseUrl { get; private set; } = "";

    /// <summary>Configures the app before it starts (called with the address it will have).</summary>
    public Action<SelfAddressedWebApp, string>? Configure { get; init; }

    public async Task InitializeAsync()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = $"http://127.0.0.1:{port}";
        App.PublicUrl = BaseUrl;
        Configure?.Invoke(App, BaseUrl);
        App.UseKestrel(port);
        await App.InitializeAsync();
        App.StartServer();
    }

    public async Task DisposeAsync() => await ((IAsyncLifetime)App).DisposeAsync();

    /// <summary>A page of a new browser context, signed in as the Admin through the sign-in form.</summary>
    public async Task<IPage> SignedInAdminAsync(IBrowser browser)
    {
        var context = await Chromium.NewContextAsync(browser, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(BaseUrl + "/Account/SignIn");
        await page.FillAsync("input[name='Input.Email']", PublisherWebApp.EmailFor(Roles.Admin));
        await page.FillAsync("input[name='Input.Password']", PublisherWebApp.Password);
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator("nav.mainnav")).ToBeAttachedAsync();
        return page;
    }
}

/// <summary>The shared test app with <c>PUBLISHER_URL</c> set to where it listens.</summary>
public sealed class SelfAddressedWebApp : PublisherWebApp
{
    public string PublicUrl { get; set; } = "";

    /// <summary>More configuration, e.g. a network's Connect client pointed at its fake.</summary>
    public Dictionary<string, string> Settings { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("PUBLISHER_URL", PublicUrl);
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
    }
}

[Collection(BrowserCollection.Name)]
public class ConnectBrowserTests(ConnectSite site) : IClassFixture<ConnectSite>
{
    [Fact]
    public async Task An_admin_connects_a_mastodon_account_through_the_instances_consent_page_and_sees_it_on_channels()
    {
        await using var mastodon = new FakeMastodonApi();
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignedInAdminAsync(browser);

        await page.GotoAsync(site.BaseUrl + "/Channels");
        await page.FillAsync("#connect-instance-Mastodon", mastodon.BaseUri.ToString());
        await page.ClickAsync("#connect-mastodon");

        // The instance's own consent page, reached through Publisher's hand-over page.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(mastodon.BaseUri + "oauth/authorize?")));
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Authorize Publisher?");
        await Assertions.Expect(page.Locator("#scopes")).ToContainTextAsync("write:statuses");
        await page.ClickAsync("#allow");

        // Back on Channels, connected, switched on.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/Channels#account-"));
        var handle = $"@publisher@{mastodon.BaseUri.Host}";
        await Assertions.Expect(page.Locator(".alert-ok")).ToContainTextAsync($"Connected Publisher ({handle}). It is switched on and ready to publish.");
        var row = page.Locator("tr", new PageLocatorOptions { Has = page.Locator($"td:text-is('{handle}')") });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("Enabled");
        await Assertions.Expect(row.Locator("button", new LocatorLocatorOptions { HasText = "Reconnect" })).ToBeVisibleAsync();
        Assert.Single(mastodon.Authorization.Grants);
        Assert.Single(mastodon.Requests, r => r.Path == "/api/v1/apps");
    }
}
