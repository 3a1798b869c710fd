using System.Net;
using System.Net.Sockets;
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

    /// <summary>Signs a demo user in through the form, in a browser context of its own.</summary>
    public async Task<IPage> SignInAsync(IBrowser browser, string role)
    {
        var context = await Chromium.NewContextAsync(browser, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        var user = DemoUsers.Single(u => u.Role == role);
        await page.GotoAsync(BaseUrl + "/Account/SignIn");
        await page.FillAsync("input[name='Input.Email']", user.Email);
        await page.FillAsync("input[name='Input.Password']", user.Password);
        await page.ClickAsync("button[type=submit]");
        // Where people land depends on their work (an approver with variants waiting lands on Approvals).
        await page.WaitForURLAsync(url => !url.Contains("/Account/SignIn"));
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
        Assert.EndsWith("/Account/SignIn?ReturnUrl=%2F", page.Url);
        await page.FillAsync("input[name='Input.Email']", marketer.Email);
        await page.FillAsync("input[name='Input.Password']", marketer.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/Calendar");

        Assert.StartsWith("Week of", await page.InnerTextAsync("h1"));
        Assert.Equal(7, await page.Locator(".day-head").CountAsync());
        Assert.Equal(1, await page.Locator(".day-head.today").CountAsync());
        Assert.True(await page.Locator(".entry").CountAsync() > 0, "the seeded messages of this week are on the calendar");
        Assert.Contains("Europe/Paris", await page.InnerTextAsync(".zone-note"));
        // No worker runs in this test, so every page must say that nothing will be published.
        Assert.True(await page.IsVisibleAsync("#no-worker-banner"));
        // Marketers have no admin links.
        Assert.Equal(0, await page.Locator("nav.mainnav a[href='/Admin/Users']").CountAsync());

        var shots = Path.Combine(RepositoryRoot.Path, "TestResults", "screenshots");
        Directory.CreateDirectory(shots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "calendar.png"), FullPage = true });
    }
}
