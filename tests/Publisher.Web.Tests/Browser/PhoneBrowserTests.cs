using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Publisher.Core.Data;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Browser;

/// <summary>Every screen at 390 × 844: nothing scrolls sideways, and the main action of each is within a thumb's reach.</summary>
[Collection(BrowserCollection.Name)]
public class PhoneBrowserTests(DemoSite site) : IClassFixture<DemoSite>
{
    private static readonly int Width = PageLayout.Phone.Width;

    [Fact]
    public async Task The_calendar_fits_a_phone_in_every_view_and_its_menu_folds_into_a_button()
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignInAsync(browser, Roles.Marketer, PageLayout.Phone);

        foreach (var view in new[] { "week", "month", "list" })
        {
            await page.GotoAsync($"{site.BaseUrl}/Calendar?view={view}");
            // The demo plans messages in the current week: each view lists them. (The month's grid also holds the
            // days of the months around it, hidden on a phone, and the demo's past posts may fall on them.)
            var entry = page.Locator(".entry .preview").Filter(new() { Visible = true }).First;
            await Assertions.Expect(entry).ToBeVisibleAsync();
            await PageLayout.AssertFitsTheWindowAsync(page, $"the calendar's {view} view");
            await PageLayout.AssertReachableAsync(page.Locator("#new-message"), Width);
            await PageLayout.AssertReachableAsync(entry, Width);
        }

        // The month is a list of days on a phone: a day without posts takes no room, a day with posts names its weekday.
        await page.GotoAsync($"{site.BaseUrl}/Calendar?view=month");
        var withPosts = page.Locator(".month-day:not(.outside):has(.entry)").First;
        await Assertions.Expect(withPosts.Locator("h2 .wd")).ToBeVisibleAsync();
        var emptyDays = page.Locator(".month-day:not(.today):not(:has(.entry))");
        Assert.True(await emptyDays.CountAsync() > 0, "a month has days without posts");
        await Assertions.Expect(emptyDays.First).ToBeHiddenAsync();

        // The navigation is one button until opened; it opens and closes without inline script.
        var menu = page.Locator("#site-menu");
        var toggle = page.Locator("#nav-toggle");
        await Assertions.Expect(menu).ToBeHiddenAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        await PageLayout.AssertReachableAsync(toggle, Width);
        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        var inbox = menu.Locator("nav.mainnav a[href='/Inbox']");
        await PageLayout.AssertReachableAsync(inbox, Width);
        await PageLayout.AssertFitsTheWindowAsync(page, "the calendar with its menu open");
        await inbox.ClickAsync();
        await page.WaitForURLAsync("**/Inbox");
        await PageLayout.AssertFitsTheWindowAsync(page, "the inbox");

        // A click on a post opens it, and the variant page fits too.
        await page.GotoAsync($"{site.BaseUrl}/Calendar?view=list");
        await page.Locator(".entry .preview").First.ClickAsync();
        await page.WaitForURLAsync("**/Variants/**");
        await Assertions.Expect(page.Locator("#variant-state")).ToBeVisibleAsync();
        await PageLayout.AssertFitsTheWindowAsync(page, "the variant page");
    }

    [Fact]
    public async Task The_editor_fits_a_phone_with_the_previews_below_the_form_and_saves()
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignInAsync(browser, Roles.Marketer, PageLayout.Phone);
        await page.GotoAsync(site.BaseUrl + "/Messages/New");
        var title = "Phone draft " + Guid.NewGuid().ToString("N")[..6];

        await page.FillAsync("#title", title);
        await page.FillAsync("#body", "Notes of fig and cocoa, roasted on Tuesdays. Order before Friday: https://northwind.example/autumn-blend-with-a-long-address");
        foreach (var account in await page.Locator("input[name='Input.AccountIds']").AllAsync())
            await account.CheckAsync();
        var x = page.Locator(".preview-card[data-kind='X']");
        await Assertions.Expect(x.Locator("[data-text]")).ToContainTextAsync("Notes of fig and cocoa");
        await Assertions.Expect(page.Locator(".preview-card[data-kind='Email'] iframe.html-preview:not(.loading)")).ToBeVisibleAsync();

        await PageLayout.AssertFitsTheWindowAsync(page, "the editor with every preview");
        var form = await page.Locator("#message-form").BoundingBoxAsync();
        var previews = await page.Locator("#previews").BoundingBoxAsync();
        Assert.True(previews!.Y >= form!.Y + form.Height, $"the previews start at {previews.Y:0} px, above the form's end at {form.Y + form.Height:0} px");
        Assert.True(previews.Width <= Width, $"the previews are {previews.Width:0} px wide");

        var save = page.Locator("#save");
        await PageLayout.AssertReachableAsync(save, Width);
        await save.ClickAsync();
        await page.WaitForURLAsync("**/Messages/Edit/**");
        await Assertions.Expect(page.Locator(".alert-ok")).ToContainTextAsync("Saved");
        await Assertions.Expect(page.Locator("article.variant").First).ToBeVisibleAsync();
        await PageLayout.AssertFitsTheWindowAsync(page, "the editor of a saved message with its variants");
    }

    [Fact]
    public async Task An_approver_approves_a_variant_from_a_phone()
    {
        Guid variantId;
        string account;
        await using (var scope = site.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            // The demo has variants waiting for the approver; any of them with a clean style check can be approved.
            (variantId, account) = await db.Variants
                .Where(v => v.State == VariantState.InReview && !v.HasStyleErrors && !v.HasRenderErrors)
                .OrderBy(v => v.ScheduledAt).Select(v => new ValueTuple<Guid, string>(v.Id, v.ChannelAccount!.Name)).FirstAsync();
        }
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignInAsync(browser, Roles.Approver, PageLayout.Phone);

        await page.GotoAsync(site.BaseUrl + "/Approvals");
        var review = page.Locator($".queue-item:has([data-variant='{variantId}']) a", new PageLocatorOptions { HasText = "Review" });
        await Assertions.Expect(review).ToBeVisibleAsync();
        await PageLayout.AssertFitsTheWindowAsync(page, "the approval queue");
        await PageLayout.AssertReachableAsync(review, Width);
        await review.ClickAsync();
        await page.WaitForURLAsync($"**/Variants/{variantId}");

        var approve = page.Locator("#approve");
        await Assertions.Expect(page.Locator(".preview-card")).ToContainTextAsync(account);
        await PageLayout.AssertFitsTheWindowAsync(page, "the variant page, for review");
        await PageLayout.AssertReachableAsync(approve, Width);
        await approve.ClickAsync();
        await Assertions.Expect(page.Locator("#variant-state")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(approved|scheduled)$"));
        await PageLayout.AssertFitsTheWindowAsync(page, "the variant page after approval");
    }
}
