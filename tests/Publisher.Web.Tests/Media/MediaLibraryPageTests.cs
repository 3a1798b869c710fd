using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Domain;
using Publisher.Web.Tests.Messages;

namespace Publisher.Web.Tests.Media;

/// <summary>
/// The media library page as a marketer uses it: search by name, alt text and tag; where each item is used; deleting an
/// unused item removes it and its stored bytes, and an item only published posts use can go while those posts keep the
/// copies they went out with.
/// </summary>
[Collection(WebAppCollection.Name)]
public class MediaLibraryPageTests(PublisherWebApp app)
{
    private sealed record Uploaded(Guid Id, string Sha256, string FileName);

    private static async Task<Uploaded> UploadAsync(HttpClient client, byte[] bytes, string name)
    {
        using var response = await MediaUploadTests.UploadAsync(client, bytes, name, "image/jpeg");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var asset = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new(asset.GetProperty("id").GetGuid(), asset.GetProperty("sha256").GetString()!, asset.GetProperty("fileName").GetString()!);
    }

    /// <summary>The assets the page lists, by id.</summary>
    private static IReadOnlyList<Guid> Listed(string html) =>
        Regex.Matches(html, "class=\"card library-item\" data-asset=\"([0-9a-f-]{36})\"").Select(m => Guid.Parse(m.Groups[1].Value)).ToList();

    /// <summary>One asset's card on the page.</summary>
    private static string CardOf(string html, Guid id)
    {
        var start = html.IndexOf($"data-asset=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{id} is not on the page");
        var next = html.IndexOf("class=\"card library-item\"", start, StringComparison.Ordinal);
        return WebUtility.HtmlDecode(next < 0 ? html[start..] : html[start..next]);
    }

    [Fact]
    public async Task Search_finds_items_by_name_alt_text_and_tag_and_each_card_says_where_it_is_used()
    {
        await Editor.SeedDefaultsAsync(app);
        var client = await app.SignedInAsync(Roles.Marketer);
        var word = "k" + Guid.NewGuid().ToString("N")[..8];
        var harbour = await UploadAsync(client, MediaUploadTests.Jpeg(643, 431, 41), $"Harbour {word}.jpg");
        var espresso = await UploadAsync(client, MediaUploadTests.Jpeg(647, 433, 42), "Espresso bar.jpg");

        Assert.Equal(HttpStatusCode.Redirect, (await PublisherWebApp.PostFormAsync(client, "/Media", "Details",
            ("id", espresso.Id.ToString()), ("altText", $"A barista pouring {word}alt latte art"), ("tags", ""))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PublisherWebApp.PostFormAsync(client, "/Media", "Details",
            ("id", harbour.Id.ToString()), ("altText", ""), ("tags", $"Launch{word}tag, spring"))).StatusCode);

        // By name, by alt text, by tag (any case), and every word must match.
        Assert.Equal([harbour.Id], Listed(await client.GetStringAsync($"/Media?q=harbour+{word}")));
        Assert.Equal([espresso.Id], Listed(await client.GetStringAsync($"/Media?q={word}ALT")));
        Assert.Equal([harbour.Id], Listed(await client.GetStringAsync($"/Media?q=launch{word}TAG")));
        Assert.Empty(Listed(await client.GetStringAsync($"/Media?q=launch{word}tag+espresso")));
        // Search words are text, not patterns.
        Assert.Empty(Listed(await client.GetStringAsync($"/Media?q={word}%25")));

        // Attached to a message for the newsletter and the blog: the card names the message and both accounts.
        Assert.Contains("Not used yet.", CardOf(await client.GetStringAsync($"/Media?q={word}"), harbour.Id));
        var accounts = await Editor.AccountsAsync(app, "Email", "Blog");
        var title = "Harbour opening " + word;
        var fields = Editor.Fields(title, "The harbour café opens on Saturday.", accounts);
        fields["Input.Media[0].AssetId"] = harbour.Id.ToString();
        fields["Input.Media[0].AltText"] = "Boats moored at sunrise in front of the new café";
        Editor.SavedMessageId(await Editor.PostAsync(client, "/Messages/New", fields));
        var card = CardOf(await client.GetStringAsync($"/Media?q={word}"), harbour.Id);
        Assert.DoesNotContain("Not used yet.", card);
        var names = await Editor.WithDbAsync(app, db => db.ChannelAccounts.AsNoTracking().Where(a => accounts.Contains(a.Id)).Select(a => a.Name).ToListAsync());
        Assert.Equal(2, names.Count);
        foreach (var name in names)
            Assert.Matches($"{Regex.Escape(title)}</a> · {Regex.Escape(name)} · ", card);
        // The message's own alt text finds the asset too.
        Assert.Contains(harbour.Id, Listed(await client.GetStringAsync($"/Media?q=boats+moored+{word}")));
    }

    [Fact]
    public async Task An_unused_item_is_deleted_with_its_bytes_and_one_only_published_posts_use_goes_while_they_keep_their_copies()
    {
        await Editor.SeedDefaultsAsync(app);
        var client = await app.SignedInAsync(Roles.Marketer);
        var anonymous = app.NewClient();

        // Unused: the row, its derivatives and every stored byte go; its address answers 404.
        var unused = await UploadAsync(client, MediaUploadTests.Jpeg(653, 439, 43), "Unused shot.jpg");
        var derivatives = await Editor.WithDbAsync(app, db => db.MediaDerivatives.AsNoTracking().Where(d => d.AssetId == unused.Id).Select(d => d.Sha256).ToListAsync());
        Assert.NotEmpty(derivatives);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/media/{unused.Sha256}/x.jpg")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PublisherWebApp.PostFormAsync(client, "/Media", "Delete", ("id", unused.Id.ToString()))).StatusCode);
        Assert.Contains("“Unused shot.jpg” is deleted.", WebUtility.HtmlDecode(await client.GetStringAsync("/Media")));
        var shas = derivatives.Append(unused.Sha256).ToList();
        Assert.False(await Editor.WithDbAsync(app, db => db.MediaAssets.AnyAsync(a => a.Id == unused.Id)));
        Assert.False(await Editor.WithDbAsync(app, db => db.MediaDerivatives.AnyAsync(d => d.AssetId == unused.Id)));
        Assert.False(await Editor.WithDbAsync(app, db => db.MediaBlobs.AnyAsync(b => shas.Contains(b.Sha256))));
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/media/{unused.Sha256}/x.jpg")).StatusCode);

        // Used by a variant not yet published: refused, naming it. Once published: deleted, and the post's image stays.
        var used = await UploadAsync(client, MediaUploadTests.Jpeg(659, 443, 44), "Blog header.jpg");
        var title = "Header " + Guid.NewGuid().ToString("N")[..8];
        var fields = Editor.Fields(title, "Our new roast is here.", await Editor.AccountsAsync(app, "Blog"));
        fields["Input.Media[0].AssetId"] = used.Id.ToString();
        fields["Input.Media[0].AltText"] = "A bag of the new roast on a wooden table";
        var messageId = Editor.SavedMessageId(await Editor.PostAsync(client, "/Messages/New", fields));
        Assert.Equal(HttpStatusCode.Redirect, (await PublisherWebApp.PostFormAsync(client, "/Media", "Delete", ("id", used.Id.ToString()))).StatusCode);
        Assert.Contains($"“Blog header.jpg” is not deleted: 1 variant not yet published uses it ({title} on ", WebUtility.HtmlDecode(await client.GetStringAsync("/Media")));
        Assert.True(await Editor.WithDbAsync(app, db => db.MediaAssets.AnyAsync(a => a.Id == used.Id)));

        var variant = await Editor.WithDbAsync(app, db => db.Variants.AsNoTracking().SingleAsync(v => v.MessageId == messageId));
        var image = Assert.Single(variant.Media);
        await Editor.WithDbAsync(app, db => db.Variants.Where(v => v.Id == variant.Id).ExecuteUpdateAsync(s => s.SetProperty(v => v.State, VariantState.Published)));
        Assert.Equal(HttpStatusCode.Redirect, (await PublisherWebApp.PostFormAsync(client, "/Media", "Delete", ("id", used.Id.ToString()))).StatusCode);
        Assert.Contains("“Blog header.jpg” is deleted.", WebUtility.HtmlDecode(await client.GetStringAsync("/Media")));
        Assert.False(await Editor.WithDbAsync(app, db => db.MediaAssets.AnyAsync(a => a.Id == used.Id)));
        using var kept = await anonymous.GetAsync($"/media/{image.Key}/{image.FileName}");
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        Assert.Equal(image.Length, (await kept.Content.ReadAsByteArrayAsync()).Length);
    }
}
