using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Publisher.Core.Domain;
using Publisher.Testing;
using Publisher.Testing.Fakes;
using Publisher.Web.Tests.Messages;

namespace Publisher.Web.Tests.Browser;

/// <summary>
/// The whole media journey in Chromium: an image dragged into the editor and another pasted, each given its alt text,
/// both in the previews; the approver sees them with their alt text and approves; a real worker publishes them to a
/// fake Mastodon (uploaded with their descriptions) and to the blog, whose page shows them with alt and srcset.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MediaJourneyBrowserTests(DemoSite site) : IClassFixture<DemoSite>
{
    private const string DroppedAlt = "Sacks of green beans beside the roaster";
    private const string PastedAlt = "A cup of filter coffee on the counter";

    private static string JpegBase64(int width, int height, int seed) => Convert.ToBase64String(Media.MediaUploadTests.Jpeg(width, height, seed));

    private static string PngBase64(int width, int height)
    {
        using var gradient = NetVips.Image.Xyz(width, height)[0].Linear(new[] { 255.0 / width }, new[] { 0.0 }).Cast(NetVips.Enums.BandFormat.Uchar);
        using var rgb = gradient.Bandjoin(gradient, gradient).Copy(interpretation: NetVips.Enums.Interpretation.Srgb);
        return Convert.ToBase64String(rgb.PngsaveBuffer());
    }

    [Fact]
    public async Task A_dropped_and_a_pasted_image_go_with_their_alt_text_through_review_to_mastodon_and_the_blog()
    {
        await using var mastodon = new FakeMastodonApi();
        // The demo site listens on a real port: the admin connects the account over it, as a browser would post the form.
        using var admin = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = new Uri(site.BaseUrl) };
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await PublisherWebApp.PostSignInAsync(admin, PublisherWebApp.EmailFor(Roles.Admin), PublisherWebApp.Password)).StatusCode);
        var accountName = $"Northwind media {Guid.NewGuid():N}"[..28];
        await PublisherWebApp.PostFormAsync(admin, "/Channels/Connection", "Create", ("name", accountName), ("kind", "Mastodon"));
        var accountId = await Editor.WithDbAsync(site.App, db => db.ChannelAccounts.Where(a => a.Name == accountName).Select(a => a.Id).SingleAsync());
        await PublisherWebApp.PostFormAsync(admin, $"/Channels/Connection/{accountId}", "Save", ("enabled", "true"), ("handle", "@northwind"),
            ("baseAddress", mastodon.BaseUri.ToString()), ("field_access_token", mastodon.AccessToken));
        var blogId = await Editor.WithDbAsync(site.App, db => db.ChannelAccounts.Where(a => a.Kind == "Blog").Select(a => a.Id).FirstAsync());

        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignInAsync(browser, "Marketer");
        await page.GotoAsync(site.BaseUrl + "/Messages/New");
        var title = "Roastery open day " + Guid.NewGuid().ToString("N")[..8];
        await page.FillAsync("#title", title);
        await page.FillAsync("#body", "Come and see where your coffee is roasted.");
        foreach (var box in await page.Locator("input[name='Input.AccountIds']").AllAsync())
        {
            var value = await box.GetAttributeAsync("value");
            await box.SetCheckedAsync(value == accountId.ToString() || value == blogId.ToString());
        }

        // Dropped on the drop zone, as a file dragged from the desktop arrives: a DataTransfer with one File.
        await page.EvaluateAsync("""
            ([name, type, base64]) => {
              const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
              const data = new DataTransfer();
              data.items.add(new File([bytes], name, { type }));
              const zone = document.getElementById("media-drop");
              zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
              zone.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
            }
            """, new object[] { "roastery.jpg", "image/jpeg", JpegBase64(1600, 900, 3) });
        var attachments = page.Locator("#attachments .attachment");
        await Assertions.Expect(attachments).ToHaveCountAsync(1);
        await page.FillAsync("#alt-0", DroppedAlt);

        // Pasted into the text, as a screenshot is: the clipboard's file.
        await page.EvaluateAsync("""
            ([type, base64]) => {
              const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
              const data = new DataTransfer();
              data.items.add(new File([bytes], "image.png", { type }));
              document.getElementById("body").dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
            }
            """, new object[] { "image/png", PngBase64(800, 800) });
        await Assertions.Expect(attachments).ToHaveCountAsync(2);
        await page.FillAsync("#alt-1", PastedAlt);
        // The text the user typed stays as it was: the paste was the image, not text.
        await Assertions.Expect(page.Locator("#body")).ToHaveValueAsync("Come and see where your coffee is roasted.");

        // Both in the Mastodon preview, each with its alt text, really loaded from the app.
        var figures = page.Locator($".preview-card[data-account='{accountId}'] [data-media] figure");
        await Assertions.Expect(figures).ToHaveCountAsync(2);
        await Assertions.Expect(figures.Nth(0).Locator("figcaption")).ToHaveTextAsync("ALT: " + DroppedAlt);
        await Assertions.Expect(figures.Nth(1).Locator("figcaption")).ToHaveTextAsync("ALT: " + PastedAlt);
        await Assertions.Expect(figures.Nth(1).Locator("img")).ToHaveAttributeAsync("alt", PastedAlt);
        foreach (var img in await figures.Locator("img").AllAsync())
            await page.WaitForFunctionAsync("e => e.complete && e.naturalWidth > 0", await img.ElementHandleAsync());
        // And in the blog preview's HTML as the post will carry them.
        var blogPreview = page.FrameLocator($".preview-card[data-account='{blogId}'] iframe");
        await Assertions.Expect(blogPreview.Locator($"img[alt='{DroppedAlt}']")).ToHaveCountAsync(1);

        await page.ClickAsync("#save");
        await page.WaitForURLAsync("**/Messages/Edit/**");
        var variants = await Editor.WithDbAsync(site.App, db => db.Variants.AsNoTracking().Where(v => v.Message!.Title == title)
            .Select(v => new { v.Id, v.ChannelAccountId, v.HasStyleErrors, v.StyleFindingsJson }).ToListAsync());
        Assert.Equal(2, variants.Count);
        Assert.All(variants, v => Assert.False(v.HasStyleErrors, v.StyleFindingsJson));
        var mastodonVariant = variants.Single(v => v.ChannelAccountId == accountId).Id;
        var blogVariant = variants.Single(v => v.ChannelAccountId == blogId).Id;
        foreach (var id in new[] { mastodonVariant, blogVariant })
        {
            await page.GotoAsync($"{site.BaseUrl}/Variants/{id}");
            await page.ClickAsync("text=Submit for review");
            await Assertions.Expect(page.Locator("#variant-state")).ToHaveTextAsync("in review");
        }

        // The approver sees the images as they go out, each with its alt text, before approving.
        var approver = await site.SignInAsync(browser, "Approver");
        foreach (var id in new[] { mastodonVariant, blogVariant })
        {
            await approver.GotoAsync($"{site.BaseUrl}/Variants/{id}");
            var shown = approver.Locator(".media-grid figure");
            await Assertions.Expect(shown).ToHaveCountAsync(2);
            await Assertions.Expect(shown.Nth(0).Locator("img")).ToHaveAttributeAsync("alt", DroppedAlt);
            await Assertions.Expect(shown.Nth(0).Locator("figcaption")).ToHaveTextAsync("ALT: " + DroppedAlt);
            await Assertions.Expect(shown.Nth(1).Locator("figcaption")).ToHaveTextAsync("ALT: " + PastedAlt);
            await approver.ClickAsync("#approve");
            await Assertions.Expect(approver.Locator("#variant-state")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("approved|scheduled"));
        }

        await using var worker = WorkerProcess.Start(new Dictionary<string, string>
        {
            ["PUBLISHER_DB"] = site.App.ConnectionString,
            ["Publishing__SweepInterval"] = "00:00:01",
            [PrivateNetworks.EnvironmentVariable] = "true", // the fake Mastodon listens on 127.0.0.1
        });
        foreach (var id in new[] { mastodonVariant, blogVariant })
        {
            await page.GotoAsync($"{site.BaseUrl}/Variants/{id}");
            await page.ClickAsync("#publish-now");
        }
        // A deadline, not a wait: a fresh worker process takes a while to start on a busy machine.
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            var states = await Editor.WithDbAsync(site.App, db => db.Variants.AsNoTracking().Where(v => v.Id == mastodonVariant || v.Id == blogVariant)
                .Select(v => new { v.State, v.LastError }).ToListAsync());
            if (states.All(s => s.State == VariantState.Published)) break;
            Assert.True(DateTime.UtcNow < deadline, $"{string.Join(", ", states.Select(s => $"{s.State} ({s.LastError})"))}\n{worker.Output}");
            await Task.Delay(250);
        }

        // Mastodon got both uploads with their descriptions, in order, and one status that carries them.
        var status = Assert.Single(mastodon.Statuses);
        Assert.Equal(2, status.MediaIds.Count);
        var uploaded = status.MediaIds.Select(id => mastodon.Media[id]).ToList();
        Assert.Equal([DroppedAlt, PastedAlt], uploaded.Select(m => m.Description));
        Assert.All(uploaded, m => Assert.StartsWith("image/", m.ContentType));

        // The blog's page shows them with alt text, responsive sources and their size.
        var blogSlug = await Editor.WithDbAsync(site.App, db => db.Variants.Where(v => v.Id == blogVariant).Select(v => v.ExternalId).SingleAsync());
        var visitor = await browser.NewPageAsync();
        await visitor.GotoAsync($"{site.BaseUrl}/blog/{blogSlug}");
        var dropped = visitor.Locator($"article img[alt='{DroppedAlt}']");
        await Assertions.Expect(dropped).ToHaveCountAsync(1);
        await Assertions.Expect(dropped).ToHaveAttributeAsync("srcset", new System.Text.RegularExpressions.Regex(@"/media/[0-9a-f]{64}/[^ ]+ \d+w, "));
        await Assertions.Expect(dropped).ToHaveAttributeAsync("width", new System.Text.RegularExpressions.Regex(@"^\d+$"));
        await Assertions.Expect(visitor.Locator($"article img[alt='{PastedAlt}']")).ToHaveCountAsync(1);
        // Its address is the app's /media/{sha256}/{name} (under the public address the blog links with): served as an image.
        var src = (await dropped.GetAttributeAsync("src"))!;
        Assert.Matches(@"/media/[0-9a-f]{64}/[^/]+\.jpg$", src);
        var served = await visitor.APIRequest.GetAsync(site.BaseUrl + new Uri(new Uri(site.BaseUrl), src).AbsolutePath);
        Assert.Equal(200, served.Status);
        Assert.Equal("image/jpeg", served.Headers["content-type"]);
    }
}
