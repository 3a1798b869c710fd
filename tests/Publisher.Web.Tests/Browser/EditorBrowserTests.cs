using Microsoft.Playwright;

namespace Publisher.Web.Tests.Browser;

public class EditorBrowserTests(DemoSite site) : IClassFixture<DemoSite>
{
    [Fact]
    public async Task Typing_updates_the_x_counter_which_turns_red_past_280()
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var log = new List<string>();
        page.Console += (_, m) => log.Add("console: " + m.Text);
        page.PageError += (_, e) => log.Add("error: " + e);
        page.RequestFailed += (_, r) => log.Add("failed: " + r.Url + " " + r.Failure);
        page.Request += (_, r) => log.Add("request: " + r.Method + " " + r.Url);
        page.Response += (_, r) => log.Add($"{r.Status} {r.Url}");
        var marketer = site.DemoUsers.Single(u => u.Role == "Marketer");
        await page.GotoAsync(site.BaseUrl + "/Account/SignIn");
        await page.FillAsync("input[name='Input.Email']", marketer.Email);
        await page.FillAsync("input[name='Input.Password']", marketer.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/Calendar");

        await page.ClickAsync("nav.mainnav >> text=New message");
        await page.WaitForURLAsync("**/Messages/New");
        var counter = page.Locator(".preview-card[data-kind='X'] [data-counter]");

        await page.FillAsync("#title", "Autumn Blend");
        await page.FillAsync("#body", "Notes of fig and cocoa.");
        try
        {
            await Assertions.Expect(counter).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+/280$"));
        }
        catch (PlaywrightException e)
        {
            var state = await page.EvaluateAsync<string>("() => JSON.stringify({checked: document.querySelectorAll('input[name=accountIds]:checked').length, pub: typeof window.publisher, body: document.getElementById('body').value.length, cards: document.querySelectorAll('.preview-card').length})");
            throw new Xunit.Sdk.XunitException(e.Message + "\n" + state + "\n" + string.Join("\n", log));
        }
        var shortCount = int.Parse((await counter.InnerTextAsync()).Split('/')[0]);
        Assert.InRange(shortCount, 10, 280);
        Assert.False(await counter.EvaluateAsync<bool>("e => e.classList.contains('over')"));
        Assert.Contains("Notes of fig and cocoa.", await page.InnerTextAsync(".preview-card[data-kind='X'] [data-text]"));

        await page.FillAsync("#body", string.Join(' ', Enumerable.Repeat("Notes of fig, cocoa and toasted hazelnut.", 9)));
        await Assertions.Expect(counter).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bover\b"));
        var longCount = int.Parse((await counter.InnerTextAsync()).Split('/')[0]);
        Assert.True(longCount > 280, $"the counter shows {longCount}");
        Assert.Equal("rgb(185, 28, 28)", await counter.EvaluateAsync<string>("e => getComputedStyle(e).color"));
        Assert.Contains("280", await page.InnerTextAsync(".preview-card[data-kind='X'] [data-diagnostics]"));
    }
}
