using Microsoft.Playwright;
using Publisher.Testing;

namespace Publisher.Web.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class TemplateEditorBrowserTests(DemoSite site) : IClassFixture<DemoSite>
{
    private async Task<IPage> SignInAsBrandManagerAsync(IBrowser browser, List<string> log)
    {
        var page = await site.SignInAsync(browser, "BrandManager");
        page.Console += (_, m) => log.Add($"console {m.Type}: {m.Text}");
        page.PageError += (_, e) => log.Add("error: " + e);
        return page;
    }

    private static string Screenshots()
    {
        var shots = Path.Combine(RepositoryRoot.Path, "TestResults", "screenshots");
        Directory.CreateDirectory(shots);
        return shots;
    }

    [Fact]
    public async Task A_brand_manager_types_a_syntax_error_and_sees_it_flagged_at_its_line_and_cannot_save()
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var log = new List<string>();
        var page = await SignInAsBrandManagerAsync(browser, log);

        await page.ClickAsync("nav.mainnav >> text=Templates");
        await page.WaitForURLAsync("**/Templates");
        await page.ClickAsync("tr[data-kind='Mastodon'] >> text=Edit");
        await page.WaitForURLAsync("**/Templates/Edit/Mastodon");
        var status = page.Locator("[data-status]");
        try
        {
            await Assertions.Expect(status).ToHaveTextAsync("No errors.");
            await Assertions.Expect(page.Locator("[data-counter]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+/500 "));

            // Line 3 opens a block that never closes.
            await page.FillAsync("#source", "{{ message.title }}\n\n{{ for tag in message.hashtags }}\n#{{ tag }}\n");
            await Assertions.Expect(status).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("error"));
            var flagged = page.Locator("[data-gutter] span.error");
            await Assertions.Expect(flagged.First).ToBeVisibleAsync();
            var lines = await flagged.EvaluateAllAsync<int[]>("spans => spans.map(s => Number(s.dataset.line))");
            Assert.NotEmpty(lines);
            Assert.All(lines, l => Assert.InRange(l, 3, 5));
            await Assertions.Expect(page.Locator("[data-diagnostics] li.diag-error").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^Line [345], column \d+: "));
            await Assertions.Expect(page.Locator("[data-save]").First).ToBeDisabledAsync(); // a template with errors cannot be saved
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots(), "template-editor-error.png"), FullPage = true });

            // Fixing it clears the flag.
            await page.FillAsync("#source", "{{ message.title }}\n\n{{ for tag in message.hashtags }}\n#{{ tag }}\n{{ end }}\n");
            await Assertions.Expect(status).ToHaveTextAsync("No errors.");
            await Assertions.Expect(page.Locator("[data-gutter] span.error")).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("[data-save]").First).ToBeEnabledAsync();
            await Assertions.Expect(page.Locator("[data-preview-text]").First).ToContainTextAsync("Autumn Blend is back");
        }
        catch (PlaywrightException e)
        {
            throw new Xunit.Sdk.XunitException(e.Message + "\n" + string.Join("\n", log));
        }
    }

    [Fact]
    public async Task The_email_preview_shows_the_html_in_a_sandboxed_frame_without_breaking_the_page_policy()
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var log = new List<string>();
        var page = await SignInAsBrandManagerAsync(browser, log);

        await page.GotoAsync(site.BaseUrl + "/Templates/Edit/Email");
        var frame = page.Locator("iframe[data-preview-frame]");
        await Assertions.Expect(frame).ToBeVisibleAsync();
        await Assertions.Expect(frame).ToHaveAttributeAsync("sandbox", "");
        var inner = page.FrameLocator("iframe[data-preview-frame]");
        await Assertions.Expect(inner.Locator("body")).ToContainTextAsync("Autumn Blend");
        // The email's own inline styles apply: the preview is a document with its own policy, not srcdoc under the app's.
        Assert.Equal("26px", await inner.Locator("h1").First.EvaluateAsync<string>("h => getComputedStyle(h).fontSize"));
        await Assertions.Expect(page.Locator("[data-preview-html]").First).ToContainTextAsync("Autumn Blend");
        Assert.DoesNotContain(log, l => l.Contains("Refused to frame", StringComparison.Ordinal));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots(), "template-editor-email.png"), FullPage = true });
    }

    [Fact]
    public async Task Everyone_reads_the_style_guide_as_a_brand_book()
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var log = new List<string>();
        var page = await SignInAsBrandManagerAsync(browser, log);

        await page.ClickAsync("nav.mainnav >> text=Style guide");
        await page.WaitForURLAsync("**/StyleGuide", new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(page.Locator(".brandbook-cover h1")).ToHaveTextAsync("Northwind Coffee");
        Assert.True(await page.Locator(".swatch").CountAsync() >= 3);
        // The swatch really is painted in its colour (an SVG fill, which the CSP allows).
        var fill = await page.Locator(".swatch rect").First.EvaluateAsync<string>("r => getComputedStyle(r).fill");
        Assert.Equal("rgb(75, 46, 42)", fill);
        await Assertions.Expect(page.Locator("#rules tr[data-rule]").First).ToBeAttachedAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots(), "style-guide.png"), FullPage = true });
        await page.GotoAsync(site.BaseUrl + "/StyleGuide/Edit");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots(), "style-guide-edit.png"), FullPage = true });
    }
}
