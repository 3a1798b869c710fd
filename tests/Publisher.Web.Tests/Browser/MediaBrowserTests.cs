using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Publisher.Web.Tests.Messages;

namespace Publisher.Web.Tests.Browser;

/// <summary>In Chromium: an image attached in the editor, its alt text written, is in every preview with that alt text, and its focal point is where the previews' crops keep it, live and on the saved variant's page.</summary>
[Collection(BrowserCollection.Name)]
public sealed class MediaBrowserTests(DemoSite site) : IClassFixture<DemoSite>
{
    /// <summary>About 10% across and halfway down, as clicked (a click lands on a whole pixel of the scaled image).</summary>
    private static readonly System.Text.RegularExpressions.Regex FocalNearLeftMiddle = new(@"^(8|9|10|11)(\.\d+)?% (4[5-9]|5[0-4])(\.\d+)?%$");

    [Fact]
    public async Task An_attached_image_with_its_alt_text_shows_in_each_preview_and_the_crop_keeps_its_focal_point()
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignInAsync(browser, "Marketer");
        await page.GotoAsync(site.BaseUrl + "/Messages/New");
        var title = "Roastery tour " + Guid.NewGuid().ToString("N")[..8];
        await page.FillAsync("#title", title);
        await page.FillAsync("#body", "Come and see where your coffee is roasted.");
        using var photo = NetVips.Image.Gaussnoise(1600, 600, sigma: 40, mean: 120);
        using var rgb = photo.Bandjoin(photo, photo).Cast(NetVips.Enums.BandFormat.Uchar).Copy(interpretation: NetVips.Enums.Interpretation.Srgb);

        await page.SetInputFilesAsync("#media-file", new FilePayload { Name = "roastery.jpg", MimeType = "image/jpeg", Buffer = rgb.JpegsaveBuffer(q: 85) });
        var attachment = page.Locator("#attachments .attachment");
        await Assertions.Expect(attachment).ToHaveCountAsync(1);
        const string alt = "Sacks of green beans beside the roaster";
        await page.FillAsync("#alt-0", alt);

        foreach (var kind in new[] { "X", "Bluesky", "Mastodon" })
        {
            var figure = page.Locator($".preview-card[data-kind='{kind}'] [data-media] figure");
            await Assertions.Expect(figure.Locator("figcaption")).ToHaveTextAsync("ALT: " + alt);
            await Assertions.Expect(figure.Locator("img")).ToHaveAttributeAsync("alt", alt);
            // The image is the derivative the app made and serves, really loaded.
            await page.WaitForFunctionAsync("e => e.complete && e.naturalWidth > 0", await figure.Locator("img").ElementHandleAsync());
        }

        // A click near the left edge, halfway down, sets the focal point; the live previews' crops keep it.
        var frame = attachment.Locator(".focal-frame img");
        var box = (await frame.BoundingBoxAsync())!;
        await frame.ClickAsync(new LocatorClickOptions { Position = new Position { X = box.Width * 0.1f, Y = box.Height * 0.5f } });
        var xImage = page.Locator(".preview-card[data-kind='X'] [data-media] img");
        await Assertions.Expect(xImage).ToHaveCSSAsync("object-position", FocalNearLeftMiddle);

        await page.ClickAsync("#save");
        await page.WaitForURLAsync("**/Messages/Edit/**");
        var variantId = await Editor.WithDbAsync(site.App, db => db.Variants.AsNoTracking()
            .Where(v => v.Message!.Title == title && v.ChannelAccount!.Kind == "X").Select(v => v.Id).SingleAsync());
        await page.GotoAsync($"{site.BaseUrl}/Variants/{variantId}");
        var saved = page.Locator(".media-grid img");
        await Assertions.Expect(saved).ToHaveAttributeAsync("alt", alt);
        await Assertions.Expect(saved).ToHaveCSSAsync("object-position", FocalNearLeftMiddle);
    }
}
