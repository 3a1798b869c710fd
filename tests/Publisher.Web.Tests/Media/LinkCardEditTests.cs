using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Domain;
using Publisher.Web.Tests.Messages;

namespace Publisher.Web.Tests.Media;

/// <summary>
/// A Bluesky variant's link card: the message's first image (made for Bluesky) is kept as the card's fallback when the
/// variant carries no media, and the author's edit or removal of the card changes the approval hash.
/// </summary>
[Collection(WebAppCollection.Name)]
public class LinkCardEditTests(PublisherWebApp app)
{
    private Task<Variant> BlueskyAsync(Guid messageId) =>
        Editor.WithDbAsync(app, db => db.Variants.AsNoTracking().Include(v => v.Approvals).SingleAsync(v => v.MessageId == messageId && v.ChannelAccount!.Kind == "Bluesky"));

    [Fact]
    public async Task A_bluesky_variant_without_media_keeps_the_messages_first_image_for_its_card_and_an_edited_or_removed_card_changes_its_hash()
    {
        await Editor.SeedDefaultsAsync(app);
        var client = await app.SignedInAsync(Roles.Marketer);
        using var uploaded = await MediaUploadTests.UploadAsync(client, MediaUploadTests.Jpeg(3000, 2000, 11), "Cupping Table.jpg", "image/jpeg");
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        var assetId = (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var fields = Editor.Fields("Cupping " + Guid.NewGuid(), "Taste three coffees side by side.", await Editor.AccountsAsync(app, "Bluesky"));
        fields["Input.Media[0].AssetId"] = assetId.ToString();
        fields["Input.Media[0].AltText"] = "Three cups on a wooden table";
        var id = Editor.SavedMessageId(await Editor.PostAsync(client, "/Messages/New", fields));

        // With the image attached the post carries it, and no card.
        var withImage = await BlueskyAsync(id);
        Assert.Single(withImage.Media);
        Assert.Null(withImage.LinkCardImage);

        // Taken off the Bluesky variant, the image becomes the card's fallback: Bluesky's derivative, under its limit.
        Assert.Equal(HttpStatusCode.Redirect, (await PublisherWebApp.PostFormAsync(client, $"/Messages/Edit/{id}", "ChooseMedia",
            ("variantId", withImage.Id.ToString()), ("version", withImage.Version.ToString()), ("choice", "hand"))).StatusCode);
        var plain = await BlueskyAsync(id);
        Assert.Empty(plain.Media);
        var fallback = Assert.IsType<LinkCardImage>(plain.LinkCardImage);
        Assert.Equal(withImage.Media[0].Key, fallback.Key);
        Assert.Equal("Three cups on a wooden table", fallback.AltText);
        Assert.True(fallback.Length < 1_000_000, $"{fallback.Length} bytes");
        using (var served = await client.GetAsync($"/media/{fallback.Key}/{fallback.FileName}"))
            Assert.Equal(fallback.Length, (await served.Content.ReadAsByteArrayAsync()).Length);

        // Edited: a new hash; a title left empty is refused and nothing changes.
        var empty = await PublisherWebApp.PostFormAsync(client, $"/Messages/Edit/{id}", "LinkCard",
            ("variantId", plain.Id.ToString()), ("version", plain.Version.ToString()), ("card", "edit"), ("title", "  "), ("thumb", "Attachment"));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("Write the card&#x27;s title, or remove the card.", await empty.Content.ReadAsStringAsync());
        Assert.Equal(plain.ContentHash, (await BlueskyAsync(id)).ContentHash);

        Assert.Equal(HttpStatusCode.Redirect, (await PublisherWebApp.PostFormAsync(client, $"/Messages/Edit/{id}", "LinkCard",
            ("variantId", plain.Id.ToString()), ("version", plain.Version.ToString()), ("card", "edit"),
            ("title", "Cupping on Thursday"), ("description", "Three coffees, one table."), ("thumb", "Attachment"))).StatusCode);
        var edited = await BlueskyAsync(id);
        Assert.Equal("Cupping on Thursday", edited.LinkCard?.Title);
        Assert.Equal(LinkCardThumb.Attachment, edited.LinkCard?.Thumb);
        Assert.NotEqual(plain.ContentHash, edited.ContentHash);

        Assert.Equal(HttpStatusCode.Redirect, (await PublisherWebApp.PostFormAsync(client, $"/Messages/Edit/{id}", "LinkCard",
            ("variantId", edited.Id.ToString()), ("version", edited.Version.ToString()), ("card", "remove"))).StatusCode);
        var removed = await BlueskyAsync(id);
        Assert.True(removed.LinkCard?.Removed);
        Assert.NotEqual(edited.ContentHash, removed.ContentHash);

        Assert.Equal(HttpStatusCode.Redirect, (await PublisherWebApp.PostFormAsync(client, $"/Messages/Edit/{id}", "LinkCard",
            ("variantId", removed.Id.ToString()), ("version", removed.Version.ToString()), ("card", "page"))).StatusCode);
        var back = await BlueskyAsync(id);
        Assert.Null(back.LinkCard);
        Assert.Equal(plain.ContentHash, back.ContentHash);
    }
}
