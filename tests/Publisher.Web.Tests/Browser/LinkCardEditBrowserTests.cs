using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Testing;

namespace Publisher.Web.Tests.Browser;

/// <summary>
/// The author edits a Bluesky variant's link card on the Edit page, the previews show it, the approver sees the same
/// card, and a removed card shows as none.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LinkCardEditBrowserTests(DemoSite site) : IClassFixture<DemoSite>
{
    [Fact]
    public async Task The_author_edits_the_cards_title_the_previews_and_the_approver_show_it_and_a_removed_card_shows_none()
    {
        await using var pages = new LinkedPageServer();
        pages.Put("roast", LinkedPage.Html("""
            <html><head><meta property="og:title" content="The holiday roast is here">
            <meta property="og:description" content="Fig, cocoa and a little smoke."></head></html>
            """));
        Guid variantId, messageId;
        await using (var scope = site.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            var variant = await db.Variants.Include(v => v.Message)
                .Where(v => v.State == VariantState.InReview && v.ChannelAccount!.Kind == "Bluesky" && v.Message!.Link != null)
                .OrderBy(v => v.ScheduledAt).FirstAsync();
            // The demo's link leads to a page on this machine; the variant keeps its rendered (tracked) link to it.
            variant.Message!.Link = pages.Address("roast").AbsoluteUri;
            await db.SaveChangesAsync();
            (variantId, messageId) = (variant.Id, variant.MessageId);
        }
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;

        var author = await site.SignInAsync(browser, "Marketer");
        await author.GotoAsync($"{site.BaseUrl}/Messages/Edit/{messageId}");
        var section = author.Locator($"#variant-{variantId}");
        await section.Locator(".link-card-edit summary").ClickAsync();
        var title = section.Locator("[data-card-title]");
        // The form starts from the page's own card, read by the server.
        await Assertions.Expect(title).ToHaveValueAsync("The holiday roast is here");
        await Assertions.Expect(section.Locator("[data-card-description]")).ToHaveValueAsync("Fig, cocoa and a little smoke.");
        await title.FillAsync("Holiday roast: taste it Saturday");
        await section.Locator("[data-card-save]").ClickAsync();

        await Assertions.Expect(author.Locator(".alert-ok")).ToContainTextAsync("Your link card is saved.");
        section = author.Locator($"#variant-{variantId}");
        await Assertions.Expect(section.Locator("[data-linkcard-state='edited'] [data-linkpath]")).ToHaveTextAsync("Holiday roast: taste it Saturday");
        // The live preview shows the author's card, not the page's.
        var live = author.Locator(".preview-card[data-kind='Bluesky'] [data-linkcard]");
        await Assertions.Expect(live.Locator("[data-linkpath]")).ToHaveTextAsync("Holiday roast: taste it Saturday");
        await Assertions.Expect(live.Locator("[data-linkdescription]")).ToHaveTextAsync("Fig, cocoa and a little smoke.");

        // Still in review (the demo's variant was): the approver's queue shows it with the author's card.
        var approver = await site.SignInAsync(browser, "Approver");
        await approver.GotoAsync($"{site.BaseUrl}/Approvals?Message={messageId}");
        var queued = approver.Locator($".queue-item[data-variant='{variantId}'] [data-linkcard-state='edited']");
        await Assertions.Expect(queued.Locator("[data-linkpath]")).ToHaveTextAsync("Holiday roast: taste it Saturday");
        await Assertions.Expect(queued.Locator("[data-linkdescription]")).ToHaveTextAsync("Fig, cocoa and a little smoke.");
        await approver.GotoAsync($"{site.BaseUrl}/Variants/{variantId}");
        await Assertions.Expect(approver.Locator("[data-linkcard-state='edited'] [data-linkpath]")).ToHaveTextAsync("Holiday roast: taste it Saturday");

        await author.GotoAsync($"{site.BaseUrl}/Messages/Edit/{messageId}");
        section = author.Locator($"#variant-{variantId}");
        await section.Locator("[data-card-remove]").ClickAsync();
        await Assertions.Expect(author.Locator(".alert-ok")).ToContainTextAsync("without a link card");
        await Assertions.Expect(author.Locator($"#variant-{variantId} [data-linkcard-state='removed']")).ToBeVisibleAsync();
        await Assertions.Expect(author.Locator(".preview-card[data-kind='Bluesky'] [data-linkcard]")).ToBeHiddenAsync();

        await approver.GotoAsync($"{site.BaseUrl}/Variants/{variantId}");
        await Assertions.Expect(approver.Locator("[data-linkcard-state='removed']")).ToContainTextAsync("No link card");
        await Assertions.Expect(approver.Locator("[data-linkcard]")).ToHaveCountAsync(0);
    }
}
