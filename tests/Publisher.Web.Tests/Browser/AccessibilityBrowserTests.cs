using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;

namespace Publisher.Web.Tests.Browser;

/// <summary>
/// Every page of every role, checked with Deque's axe-core: no serious or critical violation. Pages are found by
/// following links (<see cref="SitePages"/>), so a page added later is checked too; the same walk checks that each
/// page fits a phone's width.
/// </summary>
[Collection(BrowserCollection.Name)]
public class AccessibilityBrowserTests(DemoSite site) : IClassFixture<DemoSite>
{
    private static readonly ViewportSize Desktop = new() { Width = 1400, Height = 1000 };

    /// <summary>The serious and critical violations on the page as it is now, one line each, with where they are.</summary>
    private static async Task<List<string>> ViolationsAsync(IPage page, string where)
    {
        // Folded content (filters, hand edits, plain-text parts) is part of the page too.
        await page.EvaluateAsync("() => document.querySelectorAll('details:not([open])').forEach(d => d.open = true)");
        // Not into the frames: the email and blog previews are sandboxed documents that run no script, so axe cannot run
        // there (Playwright would wait for a script context that never comes); what they show is the brand's email.
        // A deadline, so a page axe cannot finish fails the test rather than hanging it.
        AxeResult result = await page.RunAxe(options: new AxeRunOptions { Iframes = false }).WaitAsync(Chromium.Patience);
        return result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{where}: {v.Impact} {v.Id} ({v.Help}) at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))}" +
                         (v.Nodes.FirstOrDefault() is { } node ? ": " + string.Join(" ", node.All.Concat(node.None).Concat(node.Any).Select(c => c.Message)) : ""))
            .ToList();
    }

    /// <summary>Pages that only some data leads to: a variant in review, an email, a re-submission, a stale hand edit, errors and empty lists.</summary>
    private async Task<List<string>> DataPagesAsync()
    {
        await using var scope = site.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var pages = new List<string>();
        // An email (its HTML preview), and one waiting for review (the reviewer's actions).
        pages.Add($"/Variants/{await db.Variants.Where(v => v.ChannelAccount!.Kind == "Email").OrderBy(v => v.ScheduledAt).Select(v => v.Id).FirstAsync()}");
        pages.Add($"/Variants/{await db.Variants.Where(v => v.State == VariantState.InReview).Select(v => v.Id).FirstAsync()}");

        // A variant sent back and changed since (its page shows the diff), and a hand edit the message has since moved away from.
        var draft = await db.Variants.Include(v => v.Message).Where(v => v.State == VariantState.Draft && v.ChannelAccount!.Kind != "Email" && v.ChannelAccount.Kind != "Blog")
            .OrderBy(v => v.ScheduledAt).FirstAsync();
        if (!await db.Approvals.AnyAsync(a => a.VariantId == draft.Id))
        {
            var approverId = await db.Users.Where(u => u.Email!.StartsWith("approver@")).Select(u => u.Id).FirstAsync();
            db.Approvals.Add(new Approval
            {
                VariantId = draft.Id, ApproverId = approverId, Decision = ApprovalDecision.Rejected, Comment = "Say when the tasting starts.",
                ContentText = draft.EffectiveText.Replace("\n", "\r\n") + " Come early.", ContentHash = "reviewed-before", Role = Roles.Approver,
                At = DateTimeOffset.UtcNow.AddHours(-1),
            });
            draft.ManualOverride = draft.RenderedText + "\nWritten by hand.";
            draft.SourceMessageHash = "an older message";
            draft.ContentHash = ContentHash.Of(draft);
            await db.SaveChangesAsync();
        }
        pages.Add($"/Variants/{draft.Id}");
        pages.Add($"/Messages/Edit/{draft.MessageId}");
        pages.Add($"/Variants/{Guid.NewGuid()}");               // not found
        pages.Add("/Calendar?view=week&state=Failed");         // nothing matches the filters
        pages.Add("/Approvals?DueBefore=2000-01-01");          // nothing waiting
        pages.Add("/Templates/Edit/Email");                    // an HTML template: its preview frame and source
        return pages;
    }

    [Theory]
    [InlineData(Roles.Marketer)]
    [InlineData(Roles.BrandManager)]
    [InlineData(Roles.Approver)]
    [InlineData(Roles.Admin)]
    public async Task Every_page_a_role_reaches_fits_a_phone_and_has_no_serious_or_critical_accessibility_violation(string role)
    {
        var extras = await DataPagesAsync();
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignInAsync(browser, role, Desktop);
        var problems = new List<string>();
        var visited = new List<string>();

        await SitePages.VisitAsync(site, page, extras, async path =>
        {
            visited.Add(path);
            await page.SetViewportSizeAsync(PageLayout.Phone.Width, PageLayout.Phone.Height);
            if (await PageLayout.OverflowAsync(page, $"{role} {path} on a phone") is { } overflow)
                problems.Add(overflow);
            await page.SetViewportSizeAsync(Desktop.Width, Desktop.Height);
            problems.AddRange(await ViolationsAsync(page, $"{role} {path}"));
        });

        Assert.True(visited.Count >= 8, $"only {visited.Count} pages were found for {role}: {string.Join(", ", visited)}");
        Assert.True(problems.Count == 0, $"{problems.Count} problems on {visited.Count} pages:\n{string.Join("\n", problems)}");
    }

    [Fact]
    public async Task The_sign_in_page_and_the_public_blog_fit_a_phone_and_have_no_serious_or_critical_accessibility_violation()
    {
        string slug;
        await using (var scope = site.App.Services.CreateAsyncScope())
        {
            slug = await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().Variants
                .Where(v => v.State == VariantState.Published && v.ChannelAccount!.Kind == "Blog" && v.ExternalId != null)
                .Select(v => v.ExternalId!).FirstAsync();
        }
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Chromium.NewPageAsync(browser, new BrowserNewPageOptions { ViewportSize = Desktop });
        var problems = new List<string>();

        foreach (var path in new[] { "/Account/SignIn", "/blog", $"/blog/{slug}", "/Account/AcceptInvite?userId=nobody&token=none", "/Status/404" })
        {
            await page.SetViewportSizeAsync(PageLayout.Phone.Width, PageLayout.Phone.Height);
            await page.GotoAsync(site.BaseUrl + path);
            if (await PageLayout.OverflowAsync(page, $"{path} on a phone") is { } overflow)
                problems.Add(overflow);
            await page.SetViewportSizeAsync(Desktop.Width, Desktop.Height);
            problems.AddRange(await ViolationsAsync(page, path));
        }
        // The sign-in page as it answers a wrong password.
        await page.GotoAsync(site.BaseUrl + "/Account/SignIn");
        await page.FillAsync("input[name='Input.Email']", site.DemoUsers[0].Email);
        await page.FillAsync("input[name='Input.Password']", "not the password 1");
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator(".alert-error, .field-error").First).ToBeVisibleAsync();
        problems.AddRange(await ViolationsAsync(page, "/Account/SignIn after a wrong password"));

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task The_editor_while_writing_the_calendar_dialog_and_the_phone_menu_have_no_serious_or_critical_violation()
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignInAsync(browser, Roles.Marketer, Desktop);
        var problems = new List<string>();

        // The editor with every preview showing findings, fixes and an over-long post.
        await page.GotoAsync(site.BaseUrl + "/Messages/New");
        await page.FillAsync("#title", "Autumn Blend");
        await page.FillAsync("#body", "Our beans are cheap. Come in order to taste them. " + string.Join(' ', Enumerable.Repeat("Notes of fig, cocoa and toasted hazelnut.", 9)) + " #coffee https://northwind.example/autumn");
        foreach (var account in await page.Locator("input[name='Input.AccountIds']").AllAsync())
            await account.CheckAsync();
        await Assertions.Expect(page.Locator(".preview-card[data-kind='X'] mark.finding-error").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".preview-card[data-kind='Email'] iframe.html-preview:not(.loading)")).ToBeVisibleAsync();
        problems.AddRange(await ViolationsAsync(page, "the editor while writing"));

        // The calendar's reschedule dialog.
        await page.GotoAsync(site.BaseUrl + "/Calendar");
        await page.Locator("[data-move]").First.ClickAsync();
        await Assertions.Expect(page.Locator("#move-dialog")).ToBeVisibleAsync();
        problems.AddRange(await ViolationsAsync(page, "the reschedule dialog"));

        // The navigation opened on a phone.
        await page.SetViewportSizeAsync(PageLayout.Phone.Width, PageLayout.Phone.Height);
        await page.GotoAsync(site.BaseUrl + "/Calendar?view=month");
        await page.ClickAsync("#nav-toggle");
        await Assertions.Expect(page.Locator("#site-menu")).ToBeVisibleAsync();
        problems.AddRange(await ViolationsAsync(page, "the phone menu, open"));

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
