using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Testing;
using Publisher.Web.Tests.Messages;

namespace Publisher.Web.Tests.Media;

/// <summary>
/// A Bluesky variant's link card is read from the page when the variant is saved and stored with it (the thumbnail as
/// a derivative in the blob store), so the approver approves what goes out: a page that changes afterwards changes
/// nothing until the author reads it again, and a read that changes the card voids the approval as a changed word does.
/// </summary>
[Collection(WebAppCollection.Name)]
public class LinkCardSnapshotTests(PublisherWebApp app)
{
    private Task<Variant> BlueskyAsync(Guid messageId) =>
        Editor.WithDbAsync(app, db => db.Variants.AsNoTracking().SingleAsync(v => v.MessageId == messageId && v.ChannelAccount!.Kind == "Bluesky"));

    /// <summary>A photo-like picture larger than Bluesky's blob limit as a PNG, so it must be made smaller to fit.</summary>
    private static byte[] LargePng()
    {
        using var noise = NetVips.Image.Gaussnoise(1600, 840, sigma: 60, mean: 128);
        using var colour = noise.Bandjoin(noise.Rot180(), noise.FlipHor()).Cast(NetVips.Enums.BandFormat.Uchar);
        return colour.PngsaveBuffer();
    }

    private static void PutPage(LinkedPageServer site, string title, string description, string image = "og.png") =>
        site.Put("autumn", LinkedPage.Html($"""
            <!doctype html><html><head><title>ignored</title>
            <meta property="og:title" content="{title}"><meta property="og:description" content="{description}">
            <meta property="og:image" content="/{image}"></head><body></body></html>
            """));

    private async Task<(HttpClient Client, Guid MessageId)> SaveAsync(LinkedPageServer site, string title = "Autumn beans")
    {
        await Editor.SeedDefaultsAsync(app);
        var client = await app.SignedInAsync(Roles.Marketer);
        var fields = Editor.Fields(title + " " + Guid.NewGuid(), "Three new coffees for autumn.", await Editor.AccountsAsync(app, "Bluesky"));
        fields["Input.Link"] = site.Address("autumn").AbsoluteUri;
        fields["Input.Summary"] = "Our own summary of the autumn coffees.";
        return (client, Editor.SavedMessageId(await Editor.PostAsync(client, "/Messages/New", fields)));
    }

    private async Task ApproveAsync(Guid variantId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var approver = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(PublisherWebApp.EmailFor(Roles.Approver));
        var variant = await db.Variants.SingleAsync(v => v.Id == variantId);
        variant.State = VariantState.Approved;
        db.Approvals.Add(new Approval { VariantId = variantId, ApproverId = approver!.Id, ContentHash = variant.ContentHash, Decision = ApprovalDecision.Approved, At = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
    }

    private static Task<HttpResponseMessage> RereadAsync(HttpClient client, Guid messageId, Variant variant) =>
        PublisherWebApp.PostFormAsync(client, $"/Messages/Edit/{messageId}", "LinkCard",
            ("variantId", variant.Id.ToString()), ("version", variant.Version.ToString()), ("card", "reread"));

    [Fact]
    public async Task Saving_stores_the_pages_card_with_its_image_fitted_to_bluesky_and_the_pages_show_it_from_the_app()
    {
        await using var site = new LinkedPageServer();
        var picture = LargePng();
        Assert.True(picture.Length > 1_000_000, $"the test picture is {picture.Length} bytes");
        site.Put("og.png", LinkedPage.Bytes("image/png", picture));
        PutPage(site, "Autumn on the page", "The page's own description.");

        var (client, id) = await SaveAsync(site);

        var variant = await BlueskyAsync(id);
        var card = Assert.IsType<LinkCardSnapshot>(variant.LinkCardSnapshot);
        Assert.True(card.FromPage);
        Assert.Equal(("Autumn on the page", "The page's own description."), (card.Title, card.Description));
        Assert.Equal(site.Address("autumn").AbsoluteUri, card.Page);
        // The card links to the variant's own (tracked) link; the page is where it leads.
        Assert.Equal(variant.Link, card.Uri);
        Assert.NotEqual(card.Page, card.Uri);
        Assert.Equal(site.Address("og.png").AbsoluteUri, card.ImageUrl);
        Assert.NotNull(card.ThumbKey);
        Assert.True(card.ThumbLength is > 0 and <= 1_000_000, $"{card.ThumbLength} bytes");
        Assert.True(card.ThumbWidth <= 2000 && card.ThumbHeight <= 2000, $"{card.ThumbWidth}×{card.ThumbHeight}");

        // The app serves the stored bytes; the pages show the stored card with them, never the page's address for the image.
        var outgoing = OutgoingLinkCard.Of(card, null, null)!;
        var src = $"/media/{card.ThumbKey}/{outgoing.Thumb!.FileName}";
        var served = await client.GetByteArrayAsync(src);
        Assert.Equal(card.ThumbLength, served.Length);
        Assert.Equal(card.ThumbKey, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(served)));
        var edit = await client.GetStringAsync($"/Messages/Edit/{id}");
        Assert.Contains("Autumn on the page", edit);
        Assert.Contains($"src=\"{src}\"", edit);
        Assert.DoesNotContain("/api/link-card/image", edit);
        var page = await client.GetStringAsync($"/Variants/{variant.Id}");
        Assert.Contains("The page&#x27;s own description.", page);
        Assert.Contains($"src=\"{src}\"", page);
    }

    [Fact]
    public async Task A_page_that_changes_after_approval_changes_nothing_until_read_again_and_then_voids_the_approval()
    {
        await using var site = new LinkedPageServer();
        using (var image = NetVips.Image.Black(600, 315, bands: 3) + new[] { 20, 120, 60 })
            site.Put("og.png", LinkedPage.Bytes("image/png", image.PngsaveBuffer()));
        PutPage(site, "Autumn as approved", "As approved.");
        var (client, id) = await SaveAsync(site);
        var saved = await BlueskyAsync(id);
        // Approved as stored. (Approved straight in the database: the style guide's link check does not take a loopback
        // address such as the fake page's for a link in the text, and so would hold the variant out of review.)
        await ApproveAsync(saved.Id);
        var approved = await BlueskyAsync(id);
        Assert.Equal(VariantState.Approved, approved.State);

        // The page is read again and says the same: nothing changes, the approval stands.
        var requests = site.Requested.Count;
        Assert.Equal(HttpStatusCode.Redirect, (await RereadAsync(client, id, approved)).StatusCode);
        Assert.True(site.Requested.Count > requests, "Read the page again did not read the page");
        var same = await BlueskyAsync(id);
        Assert.Equal((VariantState.Approved, approved.ContentHash), (same.State, same.ContentHash));
        Assert.Null(await Editor.WithDbAsync(app, db => db.Approvals.Where(a => a.VariantId == saved.Id).Select(a => a.VoidedAt).SingleAsync()));

        // The page changes its tags: what is stored (and so what would go out) does not.
        PutPage(site, "Autumn, changed after approval", "Changed.");
        var still = await BlueskyAsync(id);
        Assert.Equal(("Autumn as approved", approved.ContentHash), (still.LinkCardSnapshot!.Title, still.ContentHash));

        // Read again, the changed card replaces it and the approval no longer matches.
        Assert.Equal(HttpStatusCode.Redirect, (await RereadAsync(client, id, still)).StatusCode);
        var changed = await BlueskyAsync(id);
        Assert.Equal("Autumn, changed after approval", changed.LinkCardSnapshot!.Title);
        Assert.NotEqual(approved.ContentHash, changed.ContentHash);
        Assert.Equal(VariantState.InReview, changed.State);
        Assert.NotNull(await Editor.WithDbAsync(app, db => db.Approvals.Where(a => a.VariantId == saved.Id).Select(a => a.VoidedAt).SingleAsync()));
    }

    [Fact]
    public async Task The_authors_card_stays_theirs_when_the_page_is_read_again()
    {
        await using var site = new LinkedPageServer();
        using (var image = NetVips.Image.Black(600, 315, bands: 3) + new[] { 200, 120, 60 })
            site.Put("og.png", LinkedPage.Bytes("image/png", image.PngsaveBuffer()));
        PutPage(site, "The page's title", "The page's words.");
        var (client, id) = await SaveAsync(site);
        var saved = await BlueskyAsync(id);
        Assert.Equal(HttpStatusCode.Redirect, (await PublisherWebApp.PostFormAsync(client, $"/Messages/Edit/{id}", "LinkCard",
            ("variantId", saved.Id.ToString()), ("version", saved.Version.ToString()), ("card", "edit"),
            ("title", "Our title"), ("description", "Our words."), ("thumb", "Page"))).StatusCode);

        PutPage(site, "The page's new title", "The page's new words.");
        var edited = await BlueskyAsync(id);
        Assert.Equal(HttpStatusCode.Redirect, (await RereadAsync(client, id, edited)).StatusCode);

        var after = await BlueskyAsync(id);
        Assert.Equal("The page's new title", after.LinkCardSnapshot!.Title);
        var outgoing = OutgoingLinkCard.Of(after.LinkCardSnapshot, after.LinkCard, after.LinkCardImage)!;
        Assert.Equal(("Our title", "Our words.", after.LinkCardSnapshot.ThumbKey), (outgoing.Title, outgoing.Description, outgoing.Thumb?.Key));
    }

    [Fact]
    public async Task A_page_that_cannot_be_read_gives_the_messages_words_and_the_author_is_told_with_a_retry()
    {
        await using var site = new LinkedPageServer();
        var (client, id) = await SaveAsync(site, "Unreadable page");

        var variant = await BlueskyAsync(id);
        var card = Assert.IsType<LinkCardSnapshot>(variant.LinkCardSnapshot);
        Assert.False(card.FromPage);
        Assert.StartsWith("Unreadable page", card.Title);
        Assert.Equal("Our own summary of the autumn coffees.", card.Description);
        Assert.Null(card.ThumbKey);
        Assert.Contains("/autumn", site.Requested);
        var edit = await client.GetStringAsync($"/Messages/Edit/{id}");
        Assert.Contains("The linked page could not be read for Bluesky ", edit);
        Assert.Contains("The page could not be read: the card uses the message's title and summary.", edit);
        Assert.Contains("Retry: read the page again", edit);

        // The page comes back: Retry reads it now, not from a moment ago.
        PutPage(site, "Readable now", "Back.");
        Assert.Equal(HttpStatusCode.Redirect, (await RereadAsync(client, id, variant)).StatusCode);
        var read = (await BlueskyAsync(id)).LinkCardSnapshot!;
        Assert.True(read.FromPage);
        Assert.Equal("Readable now", read.Title);
        Assert.Null(read.ThumbKey); // the page names an image that is not there: a card without a picture
    }

    [Fact]
    public async Task Saving_again_straight_away_reads_the_page_once()
    {
        await using var site = new LinkedPageServer();
        PutPage(site, "Read once", "Once.", image: "none.png");
        var (client, id) = await SaveAsync(site);
        var pageReads = site.Requested.Count(r => r == "/autumn");
        Assert.Equal(1, pageReads);

        var message = await Editor.LoadAsync(app, id);
        Assert.Equal(HttpStatusCode.Redirect, (await Editor.PostAsync(client, $"/Messages/Edit/{id}", Editor.EditFields(message, body: "Three new coffees, now four."))).StatusCode);
        Assert.Equal(1, site.Requested.Count(r => r == "/autumn"));
    }
}

/// <summary>On an installation with Publishing:AllowPrivateNetworks off, as shipped, a link to a private address is never read.</summary>
[Collection(WebAppCollection.Name)]
public class LinkCardPrivateAddressTests(PublicOnlyWebApp app) : IClassFixture<PublicOnlyWebApp>
{
    [Fact]
    public async Task A_link_to_a_loopback_page_is_not_read_and_the_card_uses_the_messages_words()
    {
        await using var site = new LinkedPageServer();
        site.Put("autumn", LinkedPage.Html("""<head><meta property="og:title" content="Internal page"></head>"""));
        await Editor.SeedDefaultsAsync(app);
        var client = await app.SignedInAsync(Roles.Marketer);
        var fields = Editor.Fields("Private link " + Guid.NewGuid(), "Three new coffees for autumn.", await Editor.AccountsAsync(app, "Bluesky"));
        fields["Input.Link"] = site.Address("autumn").AbsoluteUri;
        var id = Editor.SavedMessageId(await Editor.PostAsync(client, "/Messages/New", fields));

        var card = await Editor.WithDbAsync(app, db => db.Variants.AsNoTracking().Where(v => v.MessageId == id && v.ChannelAccount!.Kind == "Bluesky")
            .Select(v => v.LinkCardSnapshot).SingleAsync());
        Assert.NotNull(card);
        Assert.False(card.FromPage);
        Assert.StartsWith("Private link", card.Title);
        Assert.Empty(site.Requested);
    }
}
