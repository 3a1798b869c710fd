using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Testing;

namespace Publisher.Web.Tests.Browser;

/// <summary>
/// The card read from the page when the message is saved is what the author's preview shows afterwards and what the
/// approver's queue shows: the same title, description and picture, served by the app from its blob store.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LinkCardSnapshotBrowserTests(DemoSite site) : IClassFixture<DemoSite>
{
    [Fact]
    public async Task The_author_sees_the_pages_card_after_saving_and_the_approver_sees_the_same_card()
    {
        await using var pages = new LinkedPageServer();
        using var picture = NetVips.Image.Black(300, 158, bands: 3) + new double[] { 40, 160, 90 };
        pages.Put("og.png", LinkedPage.Bytes("image/png", picture.PngsaveBuffer()));
        pages.Put("harvest", LinkedPage.Html("""
            <html><head><meta property="og:title" content="Harvest week at the roastery">
            <meta property="og:description" content="Five farms, five coffees.">
            <meta property="og:image" content="/og.png"></head></html>
            """));
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;

        var author = await site.SignInAsync(browser, "Marketer");
        await author.GotoAsync(site.BaseUrl + "/Messages/New");
        var title = "Harvest week " + Guid.NewGuid().ToString("N")[..8];
        await author.FillAsync("#title", title);
        await author.FillAsync("#summary", "Our words for harvest week.");
        await author.FillAsync("#body", "Five coffees from five farms.");
        await author.FillAsync("#link", pages.Address("harvest").AbsoluteUri);
        await author.ClickAsync("#save");
        await Assertions.Expect(author.Locator(".alert-ok")).ToContainTextAsync("Saved");
        var messageId = Guid.Parse(author.Url.Split('/').Last().Split('?')[0]);

        // The editor's preview shows the stored card (not a fresh read of the page), its picture from the app's store.
        var preview = author.Locator(".preview-card[data-kind='Bluesky']");
        await Assertions.Expect(preview).ToHaveAttributeAsync("data-card", "stored");
        var card = preview.Locator("[data-linkcard]");
        await Assertions.Expect(card.Locator("[data-linkpath]")).ToHaveTextAsync("Harvest week at the roastery");
        await Assertions.Expect(card.Locator("[data-linkdescription]")).ToHaveTextAsync("Five farms, five coffees.");
        var image = card.Locator("img[data-linkimage]");
        await Assertions.Expect(image).ToBeVisibleAsync();
        var src = await image.GetAttributeAsync("src");
        Assert.StartsWith("/media/", src);
        await author.WaitForFunctionAsync("e => e.complete && e.naturalWidth === 300", await image.ElementHandleAsync());

        Guid variantId;
        await using (var scope = site.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            var variant = await db.Variants.SingleAsync(v => v.MessageId == messageId && v.ChannelAccount!.Kind == "Bluesky");
            Assert.Equal("Harvest week at the roastery", variant.LinkCardSnapshot?.Title);
            // In review as submitted (the style guide's link check does not take the fake page's loopback address in the text).
            variant.State = VariantState.InReview;
            await db.SaveChangesAsync();
            variantId = variant.Id;
        }
        var section = author.Locator($"#variant-{variantId}");
        await Assertions.Expect(section.Locator("[data-linkcard-state='stored'] [data-linkpath]")).ToHaveTextAsync("Harvest week at the roastery");

        // The page changes after the save: the approver still sees (and approves) the card that was stored.
        pages.Put("harvest", LinkedPage.Html("""<html><head><meta property="og:title" content="Changed since"></head></html>"""));
        var approver = await site.SignInAsync(browser, "Approver");
        await approver.GotoAsync($"{site.BaseUrl}/Approvals?Message={messageId}");
        var queued = approver.Locator($".queue-item[data-variant='{variantId}'] [data-linkcard-state='stored']");
        await Assertions.Expect(queued.Locator("[data-linkpath]")).ToHaveTextAsync("Harvest week at the roastery");
        await Assertions.Expect(queued.Locator("[data-linkdescription]")).ToHaveTextAsync("Five farms, five coffees.");
        var queuedImage = queued.Locator("img[data-linkimage]");
        await Assertions.Expect(queuedImage).ToHaveAttributeAsync("src", src!);
        await approver.WaitForFunctionAsync("e => e.complete && e.naturalWidth === 300", await queuedImage.ElementHandleAsync());
    }
}
