using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Publisher.Core.Data;
using Publisher.Testing;

namespace Publisher.Web.Tests.Browser;

/// <summary>The real app on Kestrel with the demo data, driven by headless Chromium.</summary>
public sealed class DemoSite : IAsyncLifetime
{
    public PublisherWebApp App { get; } = new();
    public IReadOnlyList<DemoUser> DemoUsers { get; private set; } = [];
    public string BaseUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        App.UseKestrel(port);
        await App.InitializeAsync();
        App.StartServer();
        BaseUrl = $"http://127.0.0.1:{port}";
        await using var scope = App.Services.CreateAsyncScope();
        DemoUsers = await ActivatorUtilities.CreateInstance<DemoSeeder>(scope.ServiceProvider).SeedAsync();
    }

    public async Task DisposeAsync() => await ((IAsyncLifetime)App).DisposeAsync();

    /// <summary>
    /// Sends the demo's accounts of one kind with their links as written (not the app's short links) until the answer is
    /// disposed: a short link on the test's loopback address is no link to the networks, so a test of what each
    /// network links uses addresses it would link. The collection's tests run one at a time, so no other test sees it.
    /// </summary>
    public async Task<IAsyncDisposable> LinksAsWrittenAsync(string kind)
    {
        await SetTrackLinksAsync(kind, false);
        return new Restore(() => SetTrackLinksAsync(kind, true));
    }

    private async Task SetTrackLinksAsync(string kind, bool track)
    {
        await using var scope = App.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().ChannelAccounts
            .Where(a => a.Kind == kind && a.IsDemo).ExecuteUpdateAsync(a => a.SetProperty(x => x.TrackLinks, track));
    }

    private sealed class Restore(Func<Task> undo) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await undo();
    }

    /// <summary>Signs a demo user in through the form, in a browser context of its own (a desktop window unless <paramref name="viewport"/> says otherwise).</summary>
    public async Task<IPage> SignInAsync(IBrowser browser, string role, ViewportSize? viewport = null)
    {
        var context = await Chromium.NewContextAsync(browser, new BrowserNewContextOptions { ViewportSize = viewport ?? new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        var user = DemoUsers.Single(u => u.Role == role);
        await page.GotoAsync(BaseUrl + "/Account/SignIn");
        await page.FillAsync("input[name='Input.Email']", user.Email);
        await page.FillAsync("input[name='Input.Password']", user.Password);
        await page.ClickAsync("button[type=submit]");
        // Where people land depends on their work (an approver with variants waiting lands on Approvals);
        // signed in when the app's own navigation shows, not when every resource has loaded.
        await page.WaitForURLAsync(url => !url.Contains("/Account/SignIn", StringComparison.OrdinalIgnoreCase), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(page.Locator("nav.mainnav")).ToBeAttachedAsync();
        return page;
    }
}

[Collection(BrowserCollection.Name)]
public class SignInBrowserTests(DemoSite site) : IClassFixture<DemoSite>
{
    [Fact]
    public async Task A_demo_marketer_signs_in_and_sees_this_weeks_calendar()
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Chromium.NewPageAsync(browser, new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var marketer = site.DemoUsers.Single(u => u.Role == "Marketer");

        await page.GotoAsync(site.BaseUrl + "/");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/SignIn\\?ReturnUrl=%2F$"));
        await page.FillAsync("input[name='Input.Email']", marketer.Email);
        await page.FillAsync("input[name='Input.Password']", marketer.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/Calendar", new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });

        await Assertions.Expect(page.Locator("h1").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Week of"));
        await Assertions.Expect(page.Locator(".day-head")).ToHaveCountAsync(7);
        await Assertions.Expect(page.Locator(".day-head.today")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".entry").First).ToBeVisibleAsync(); // the seeded messages of this week
        await Assertions.Expect(page.Locator(".zone-note").First).ToContainTextAsync("Europe/Paris");
        // No worker runs in this test, so every page must say that nothing will be published.
        await Assertions.Expect(page.Locator("#no-worker-banner")).ToBeVisibleAsync();
        // Marketers have no admin links.
        await Assertions.Expect(page.Locator("nav.mainnav a[href='/Admin/Users']")).ToHaveCountAsync(0);

        var shots = Path.Combine(RepositoryRoot.Path, "TestResults", "screenshots");
        Directory.CreateDirectory(shots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "calendar.png"), FullPage = true });
    }
}
