using Microsoft.Playwright;
using Publisher.Testing;

namespace Publisher.Web.Tests.Browser;

/// <summary>The editor's previews show a link's card as the post will carry it, read from a local site's Open Graph tags.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LinkCardBrowserTests(DemoSite site) : IClassFixture<DemoSite>
{
    [Fact]
    public async Task A_link_shows_its_pages_card_with_title_description_and_image_and_an_unreadable_page_shows_the_messages_own_words()
    {
        await using var pages = new LinkedPageServer();
        using var picture = NetVips.Image.Black(120, 63, bands: 3) + new double[] { 200, 120, 40 };
        pages.Put("og.png", LinkedPage.Bytes("image/png", picture.PngsaveBuffer()));
        pages.Put("roast", LinkedPage.Html("""
            <html><head><meta property="og:title" content="The holiday roast is here">
            <meta property="og:description" content="Fig, cocoa and a little smoke.">
            <meta property="og:image" content="/og.png"></head></html>
            """));
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignInAsync(browser, "Marketer");
        await page.GotoAsync(site.BaseUrl + "/Messages/New");

        await page.FillAsync("#title", "Holiday Roast");
        await page.FillAsync("#summary", "Our winter coffee, roasted on Saturday.");
        await page.FillAsync("#body", "Come and taste it.");
        await page.FillAsync("#link", pages.Address("roast").AbsoluteUri);

        var card = page.Locator(".preview-card[data-kind='Bluesky'] [data-linkcard]");
        await Assertions.Expect(card.Locator("[data-linkpath]")).ToHaveTextAsync("The holiday roast is here");
        await Assertions.Expect(card.Locator("[data-linkdescription]")).ToHaveTextAsync("Fig, cocoa and a little smoke.");
        // The card links where the post links (the app's tracked address, when analytics tracks links).
        Assert.NotNull(await card.GetAttributeAsync("href"));
        var image = card.Locator("img[data-linkimage]");
        await Assertions.Expect(image).ToBeVisibleAsync();
        // Loaded through the app (the editor's CSP takes images only from itself), and decoded: it really is the page's image.
        Assert.StartsWith("/api/link-card/image?url=", await image.GetAttributeAsync("src"));
        await page.WaitForFunctionAsync("e => e.complete && e.naturalWidth === 120", await image.ElementHandleAsync());

        await page.FillAsync("#link", pages.Address("nowhere").AbsoluteUri);
        await Assertions.Expect(card.Locator("[data-linkdescription]")).ToHaveTextAsync("Our winter coffee, roasted on Saturday.");
        await Assertions.Expect(card.Locator("[data-linkpath]")).ToHaveTextAsync("Holiday Roast");
        await Assertions.Expect(image).ToBeHiddenAsync();
        // The preview shows the message's words at once, before the answer comes: wait (with a deadline) for the read itself.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!pages.Requested.Contains("/nowhere") && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Contains("/nowhere", pages.Requested);
    }
}
