using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Publisher.Core.Data;
using Publisher.Core.Domain;

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
}
