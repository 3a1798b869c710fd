using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NetVips;
using Publisher.Core.Domain;
using Publisher.Web.Tests.Messages;

namespace Publisher.Web.Tests.Media;

/// <summary>
/// Uploading through POST /api/media, serving through /media/{sha256}/{name}, and a message that carries an image to
/// the newsletter, the blog and X: each gets its own derivative with the alt text, and the HTML places it.
/// </summary>
[Collection(WebAppCollection.Name)]
public class MediaUploadTests(PublisherWebApp app)
{
    internal static byte[] Jpeg(int width, int height, int seed)
    {
        using var noise = Image.Gaussnoise(width, height, sigma: 50, mean: 100 + seed);
        using var rgb = noise.Bandjoin(noise, noise).Cast(Enums.BandFormat.Uchar).Copy(interpretation: Enums.Interpretation.Srgb);
        return rgb.JpegsaveBuffer(q: 90);
    }

    private static async Task<string> TokenAsync(HttpClient client)
    {
        var html = await client.GetStringAsync("/Messages/New");
        return WebUtility.HtmlDecode(Regex.Match(html, "name=\"request-verification-token\" content=\"([^\"]+)\"").Groups[1].Value);
    }

    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] bytes, string name, string contentType, string? token = null)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/media?name={Uri.EscapeDataString(name)}") { Content = content };
        request.Headers.Add("RequestVerificationToken", token ?? await TokenAsync(client));
        return await client.SendAsync(request);
    }

    private Task<(int Assets, int Blobs)> CountsAsync() => Editor.WithDbAsync(app, async db => (await db.MediaAssets.CountAsync(), await db.MediaBlobs.CountAsync()));

    [Fact]
    public async Task A_bad_file_gets_its_message_and_nothing_is_stored()
    {
        var client = await app.SignedInAsync(Roles.Marketer);
        var before = await CountsAsync();
        var cases = new (byte[] Bytes, string Name, string Type, string Says)[]
        {
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"u8.ToArray(), "logo.svg", "image/svg+xml", "SVG"),
            (Jpeg(40, 30, 1), "photo.png", "image/png", "its bytes are a JPEG image"),
            ("<!doctype html><html><body>hi</body></html>"u8.ToArray(), "page.jpg", "image/jpeg", "HTML page"),
            (Jpeg(40, 30, 2), "../secret.jpg", "image/jpeg", "is a path"),
            (Jpeg(40, 30, 3).AsSpan(0, 30).ToArray(), "cut.jpg", "image/jpeg", "damaged"),
        };
        foreach (var (bytes, name, type, says) in cases)
        {
            using var response = await UploadAsync(client, bytes, name, type);
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, $"{name}: {(int)response.StatusCode}");
            var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;
            Assert.Contains(says, error);
        }
        using (var empty = await UploadAsync(client, [], "empty.jpg", "image/jpeg"))
            Assert.Contains("empty", (await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task An_upload_needs_the_antiforgery_token_and_an_author()
    {
        var approver = await app.SignedInAsync(Roles.Approver);
        using (var forbidden = await UploadAsync(approver, Jpeg(40, 30, 4), "a.jpg", "image/jpeg", token: await TokenAsync(await app.SignedInAsync(Roles.Marketer))))
            Assert.True(forbidden.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest);
        var marketer = await app.SignedInAsync(Roles.Marketer);
        using var noToken = await UploadAsync(marketer, Jpeg(40, 30, 5), "a.jpg", "image/jpeg", token: "nope");
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
    }

    [Fact]
    public async Task An_image_travels_to_the_newsletter_blog_and_x_with_its_alt_text_and_the_hash_covers_it()
    {
        await Editor.SeedDefaultsAsync(app);
        var client = await app.SignedInAsync(Roles.Marketer);
        var photo = Jpeg(3000, 2000, 9);
        using var uploaded = await UploadAsync(client, photo, "Roastery Floor.jpg", "image/jpeg");
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        var asset = await uploaded.Content.ReadFromJsonAsync<JsonElement>();
        var assetId = asset.GetProperty("id").GetGuid();
        Assert.Equal("Image", asset.GetProperty("kind").GetString());

        // The same bytes again are the same asset.
        using (var again = await UploadAsync(client, photo, "copy.jpg", "image/jpeg"))
            Assert.Equal(assetId, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());

        var accounts = await Editor.AccountsAsync(app, "Email", "Blog", "X");
        var fields = Editor.Fields("Roastery " + Guid.NewGuid(), "Come and see where your coffee is roasted.", accounts);
        fields["Input.Media[0].AssetId"] = assetId.ToString();
        fields["Input.Media[0].AltText"] = "Sacks of green beans beside the roaster";
        var id = Editor.SavedMessageId(await Editor.PostAsync(client, "/Messages/New", fields));
        var variants = await Editor.WithDbAsync(app, db => db.Variants.AsNoTracking().Include(v => v.ChannelAccount).Where(v => v.MessageId == id).ToListAsync());

        var email = variants.Single(v => v.ChannelAccount!.Kind == "Email");
        var blog = variants.Single(v => v.ChannelAccount!.Kind == "Blog");
        var x = variants.Single(v => v.ChannelAccount!.Kind == "X");
        var emailImage = Assert.Single(email.Media);
        Assert.Equal((1200, 800), (emailImage.Width, emailImage.Height));
        Assert.Matches($"<img src=\"http://[^\"]+/media/{emailImage.Key}/Roastery-Floor.jpg\" alt=\"Sacks of green beans beside the roaster\" width=\"536\" height=\"357\"", email.RenderedHtml);
        var blogImage = Assert.Single(blog.Media);
        Assert.Contains("srcset=\"", blog.RenderedHtml);
        Assert.Contains(" 480w, ", blog.RenderedHtml);
        Assert.Contains($"width=\"{blogImage.Width}\" height=\"{blogImage.Height}\" alt=\"Sacks of green beans beside the roaster\"", blog.RenderedHtml);
        var xImage = Assert.Single(x.Media);
        Assert.Equal((2000, 1333), (xImage.Width, xImage.Height));
        Assert.NotEqual(emailImage.Key, xImage.Key);
        Assert.All(variants, v => Assert.False(v.HasStyleErrors, string.Join("; ", v.StyleFindingsJson)));

        // Served as stored, cached for a year, never sniffed; the ETag answers 304.
        var anonymous = app.NewClient();
        using (var served = await anonymous.GetAsync($"/media/{xImage.Key}/{xImage.FileName}"))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.Equal("image/jpeg", served.Content.Headers.ContentType!.MediaType);
            Assert.Equal("nosniff", served.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Contains("max-age=31536000", served.Headers.CacheControl!.ToString());
            Assert.Equal($"\"{xImage.Key}\"", served.Headers.ETag!.Tag);
            Assert.Equal(xImage.Length, (await served.Content.ReadAsByteArrayAsync()).Length);
        }
        using (var conditional = new HttpRequestMessage(HttpMethod.Get, $"/media/{xImage.Key}/{xImage.FileName}"))
        {
            conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{xImage.Key}\""));
            Assert.Equal(HttpStatusCode.NotModified, (await anonymous.SendAsync(conditional)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/media/{new string('0', 64)}/x.jpg")).StatusCode);

        // A changed alt text is a changed variant: a new hash, and the guide now finds a missing one.
        var message = await Editor.LoadAsync(app, id);
        var edit = Editor.EditFields(message);
        edit["Input.Media[0].AssetId"] = assetId.ToString();
        edit["Input.Media[0].AltText"] = "";
        Assert.Equal(HttpStatusCode.Redirect, (await Editor.PostAsync(client, $"/Messages/Edit/{id}", edit)).StatusCode);
        var after = await Editor.WithDbAsync(app, db => db.Variants.AsNoTracking().SingleAsync(v => v.Id == x.Id));
        Assert.NotEqual(x.ContentHash, after.ContentHash);
        Assert.True(after.HasStyleErrors);
        Assert.Contains("Attachment 1 has no alt text", after.StyleFindingsJson);

        // Used by a variant not yet published, the asset cannot be deleted.
        var library = await client.GetStringAsync("/Media");
        Assert.Contains("Roastery Floor.jpg", library);
        var response = await PublisherWebApp.PostFormAsync(client, "/Media", "Delete", ("id", assetId.ToString()));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("is not deleted", await client.GetStringAsync("/Media"));
        Assert.True(await Editor.WithDbAsync(app, db => db.MediaAssets.AnyAsync(a => a.Id == assetId)));
    }

    [Fact]
    public async Task A_message_with_several_images_saves_them_in_their_order_and_a_reorder_is_kept()
    {
        await Editor.SeedDefaultsAsync(app);
        var client = await app.SignedInAsync(Roles.Marketer);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            using var uploaded = await UploadAsync(client, Jpeg(300 + i, 200, 20 + i), $"shot-{i}.jpg", "image/jpeg");
            Assert.True(uploaded.IsSuccessStatusCode, await uploaded.Content.ReadAsStringAsync());
            ids.Add((await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        }
        var accounts = await Editor.AccountsAsync(app, "Mastodon", "Blog");
        var fields = Editor.Fields("Three shots " + Guid.NewGuid(), "Three views of the roastery.", accounts);
        for (var i = 0; i < ids.Count; i++)
        {
            fields[$"Input.Media[{i}].AssetId"] = ids[i].ToString();
            fields[$"Input.Media[{i}].AltText"] = $"View number {i}";
        }
        var id = Editor.SavedMessageId(await Editor.PostAsync(client, "/Messages/New", fields));
        var variants = await Editor.WithDbAsync(app, db => db.Variants.AsNoTracking().Where(v => v.MessageId == id).ToListAsync());
        Assert.Equal(2, variants.Count);
        Assert.All(variants, v => Assert.Equal(
            [(0, "View number 0"), (1, "View number 1"), (2, "View number 2")],
            v.Media.OrderBy(m => m.Position).Select(m => (m.Position, m.AltText))));

        // Reordered in the editor (the last first): saved again, the places follow.
        var edit = Editor.EditFields(await Editor.LoadAsync(app, id));
        foreach (var (i, from) in new[] { (0, 2), (1, 0), (2, 1) })
        {
            edit[$"Input.Media[{i}].AssetId"] = ids[from].ToString();
            edit[$"Input.Media[{i}].AltText"] = $"View number {from}";
        }
        Assert.Equal(HttpStatusCode.Redirect, (await Editor.PostAsync(client, $"/Messages/Edit/{id}", edit)).StatusCode);
        var after = await Editor.WithDbAsync(app, db => db.Variants.AsNoTracking().Where(v => v.MessageId == id).ToListAsync());
        Assert.All(after, v => Assert.Equal(["View number 2", "View number 0", "View number 1"], v.Media.OrderBy(m => m.Position).Select(m => m.AltText)));
    }
}
