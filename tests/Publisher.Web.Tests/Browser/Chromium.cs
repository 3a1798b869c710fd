using Microsoft.Playwright;

namespace Publisher.Web.Tests.Browser;

/// <summary>Browser tests run one at a time: each starts Chromium and an app, and two cores are all CI has.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection
{
    public const string Name = "browser";
}

/// <summary>Debian's Chromium driven by Playwright; the test command installs the package.</summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>
    /// Generous limits: CI shares two cores between the app, PostgreSQL, Chromium and other test
    /// projects, and a first page load (cold Razor and regex compiles) can take many seconds there.
    /// These are deadlines for polling, not sleeps: a passing step returns as soon as it is true.
    /// </summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public static async Task<IPage> NewPageAsync(IBrowser browser, BrowserNewPageOptions options)
    {
        var page = await browser.NewPageAsync(options);
        page.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        page.SetDefaultNavigationTimeout((float)Patience.TotalMilliseconds);
        return page;
    }

    public static async Task<IBrowserContext> NewContextAsync(IBrowser browser, BrowserNewContextOptions options)
    {
        var context = await browser.NewContextAsync(options);
        context.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)Patience.TotalMilliseconds);
        return context;
    }

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        Assertions.SetDefaultExpectTimeout(30_000);
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: run ./test.sh, which installs Debian's chromium package.");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        });
        return (playwright, browser);
    }
}
