using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;

namespace Publisher.Web.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class ReviewBrowserTests(DemoSite site) : IClassFixture<DemoSite>
{
    [Fact]
    public async Task A_marketer_submits_an_approver_approves_one_variant_and_rejects_another_and_the_marketer_reads_the_comment()
    {
        List<(Guid Id, string Account)> drafts;
        await using (var scope = site.App.Services.CreateAsyncScope())
        {
            drafts = await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().Variants
                .Where(v => v.State == VariantState.Draft && !v.HasStyleErrors && !v.HasRenderErrors)
                .OrderBy(v => v.ScheduledAt).Select(v => new ValueTuple<Guid, string>(v.Id, v.ChannelAccount!.Name)).Take(2).ToListAsync();
        }
        Assert.True(drafts.Count == 2, "the demo data has two clean drafts to walk through review");
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;

        var marketer = await site.SignInAsync(browser, "Marketer");
        foreach (var (id, _) in drafts)
        {
            await marketer.GotoAsync($"{site.BaseUrl}/Variants/{id}");
            await marketer.ClickAsync("text=Submit for review");
            await Assertions.Expect(marketer.Locator("#variant-state")).ToHaveTextAsync("in review");
        }

        var approver = await site.SignInAsync(browser, "Approver");
        await Assertions.Expect(approver.Locator(".unread-count")).ToBeVisibleAsync();
        await approver.GotoAsync(site.BaseUrl + "/Approvals");
        foreach (var (_, account) in drafts)
            await Assertions.Expect(approver.Locator(".queue-item", new() { HasText = account })).ToBeVisibleAsync();

        await approver.GotoAsync($"{site.BaseUrl}/Variants/{drafts[0].Id}");
        await approver.ClickAsync("#approve");
        // Its time is ahead, so the last approval schedules it.
        await Assertions.Expect(approver.Locator("#variant-state")).ToHaveTextAsync("scheduled");

        await approver.GotoAsync($"{site.BaseUrl}/Variants/{drafts[1].Id}");
        await approver.FillAsync("#reject-comment", "Open day starts at 09:00, not 10:00.");
        await approver.ClickAsync("#reject");
        await Assertions.Expect(approver.Locator("#variant-state")).ToHaveTextAsync("rejected");

        await marketer.GotoAsync(site.BaseUrl + "/Inbox");
        await marketer.ClickAsync("text=Open day starts at 09:00");
        await marketer.WaitForURLAsync($"**/Variants/{drafts[1].Id}");
        await Assertions.Expect(marketer.Locator("#comments")).ToContainTextAsync("Open day starts at 09:00, not 10:00.");
        await Assertions.Expect(marketer.Locator("#variant-state")).ToHaveTextAsync("rejected");
    }

    [Fact]
    public async Task A_resubmission_marks_only_the_changed_words_when_the_reviewed_text_had_windows_line_endings()
    {
        Guid id;
        await using (var scope = site.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            var variant = await db.Variants.Where(v => v.State == VariantState.Draft && v.ChannelAccount!.Kind == "LinkedIn").OrderBy(v => v.ScheduledAt).FirstAsync();
            // What the reviewer saw: three paragraphs with CRLF line endings and a long link; what goes out now: the same with LF
            // line endings and one word changed.
            const string link = "https://northwind.example/guides/pour-over?utm_source=linkedin&utm_medium=social&utm_campaign=autumn-blend-with-a-very-long-campaign-name";
            variant.ManualOverride = $"Brew the perfect pour-over at home.\n\nGrind 15 g of beans, medium fine, for 250 ml of water at 94 °C.\n\nRead the guide: {link}";
            variant.ContentHash = ContentHash.Of(variant);
            var approverId = await db.Users.Where(u => u.Email!.StartsWith("approver@")).Select(u => u.Id).FirstAsync();
            db.Approvals.Add(new Approval
            {
                VariantId = variant.Id, ApproverId = approverId, Decision = ApprovalDecision.Rejected, Role = Roles.Approver, Comment = "Say how hot the water is.",
                ContentText = $"Brew the perfect pour-over at home.\r\n\r\nGrind 15 g of beans, medium fine, for 250 ml of water at 92 °C.\r\n\r\nRead the guide: {link}",
                ContentHash = "what the reviewer saw", At = DateTimeOffset.UtcNow.AddHours(-2),
            });
            await db.SaveChangesAsync();
            id = variant.Id;
        }
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;

        foreach (var viewport in new[] { new ViewportSize { Width = 1400, Height = 1000 }, PageLayout.Phone })
        {
            var page = await site.SignInAsync(browser, Roles.Approver, viewport);
            await page.GotoAsync($"{site.BaseUrl}/Variants/{id}");
            var diff = page.Locator("[data-diff]");
            await Assertions.Expect(diff).ToContainTextAsync("Brew the perfect pour-over at home.");
            Assert.Equal(["92"], await diff.Locator("del").AllInnerTextsAsync());
            Assert.Equal(["94"], await diff.Locator("ins").AllInnerTextsAsync());
            // It reads as the post does: its paragraphs kept, left-aligned, wrapped inside its box.
            Assert.Contains(await diff.EvaluateAsync<string>("e => getComputedStyle(e).textAlign"), new[] { "left", "start" });
            Assert.Equal("pre-wrap", await diff.EvaluateAsync<string>("e => getComputedStyle(e).whiteSpace"));
            Assert.True(await diff.EvaluateAsync<bool>("e => e.scrollWidth <= e.clientWidth"), "the diff scrolls inside its box");
            await PageLayout.AssertFitsTheWindowAsync(page, $"the variant page with its diff at {viewport.Width} px");
            await page.Context.CloseAsync();
        }
    }
}
