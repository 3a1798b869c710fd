using Publisher.Core.Domain;
using Publisher.Core.Workflow;

namespace Publisher.Core.Tests.Workflow;

/// <summary>The approval hash covers the link card: the author's edit, its removal, the image it falls back to, and the card read from the page.</summary>
public class ContentHashLinkCardTests
{
    private static Variant Bluesky(LinkCardEdit? card = null, LinkCardImage? image = null) => new()
    {
        ChannelAccountId = Guid.Parse("0193a000-0000-7000-8000-000000000002"), RenderedText = "Fresh beans on Friday.", LinkCard = card, LinkCardImage = image,
    };

    private static LinkCardEdit Edited(string title = "Fresh beans", string description = "Roasted on Friday", LinkCardThumb thumb = LinkCardThumb.Page, string? image = "https://example.com/og.jpg") =>
        new() { Title = title, Description = description, Thumb = thumb, ImageUrl = image };

    [Fact]
    public void A_variant_without_a_card_edit_or_fallback_image_hashes_as_before_cards_could_be_edited()
    {
        var variant = Bluesky();
        Assert.Equal(ContentHash.Of(variant.ChannelAccountId, variant.EffectiveText, null, null, []), ContentHash.Of(variant));
    }

    [Fact]
    public void Editing_the_cards_title_description_or_thumbnail_changes_the_hash()
    {
        var approved = ContentHash.Of(Bluesky(Edited()));
        Assert.NotEqual(ContentHash.Of(Bluesky()), approved);
        Assert.NotEqual(approved, ContentHash.Of(Bluesky(Edited(title: "Fresh beans!"))));
        Assert.NotEqual(approved, ContentHash.Of(Bluesky(Edited(description: "Roasted on Thursday"))));
        Assert.NotEqual(approved, ContentHash.Of(Bluesky(Edited(thumb: LinkCardThumb.None))));
        Assert.NotEqual(approved, ContentHash.Of(Bluesky(Edited(image: "https://example.com/other.jpg"))));
        // Words moved from the title into the description are a different card.
        Assert.NotEqual(ContentHash.Of(Bluesky(Edited("ab", "c"))), ContentHash.Of(Bluesky(Edited("a", "bc"))));
        Assert.Equal(approved, ContentHash.Of(Bluesky(Edited())));
    }

    [Fact]
    public void Removing_the_card_changes_the_hash()
    {
        var removed = ContentHash.Of(Bluesky(new LinkCardEdit { Removed = true }));
        Assert.NotEqual(ContentHash.Of(Bluesky()), removed);
        Assert.NotEqual(ContentHash.Of(Bluesky(Edited())), removed);
    }

    [Fact]
    public void A_changed_fallback_image_changes_the_hash()
    {
        var image = new LinkCardImage { Key = new string('a', 64), ContentType = "image/jpeg", Length = 10, Width = 2, Height = 1, FileName = "beans.jpg" };
        var withImage = ContentHash.Of(Bluesky(image: image));
        Assert.NotEqual(ContentHash.Of(Bluesky()), withImage);
        Assert.NotEqual(withImage, ContentHash.Of(Bluesky(image: new LinkCardImage { Key = new string('b', 64) })));
        Assert.NotEqual(withImage, ContentHash.Of(Bluesky(Edited(thumb: LinkCardThumb.Attachment), image)));
    }

    private static LinkCardSnapshot Read(string title = "Open day", string description = "Coffee on the house", string uri = "https://pbl.example/r/abc",
        string? thumb = "1111111111111111111111111111111111111111111111111111111111111111") => new()
    {
        Uri = uri, Page = "https://roastery.example/open-day", Title = title, Description = description, FromPage = true, ImageUrl = "https://roastery.example/og.jpg",
        ThumbKey = thumb, ThumbContentType = thumb is null ? null : "image/jpeg", ThumbLength = 1000, ThumbWidth = 1200, ThumbHeight = 630,
        ReadAt = DateTimeOffset.Parse("2026-12-01T10:00:00Z"),
    };

    private static Variant WithSnapshot(LinkCardSnapshot snapshot, LinkCardEdit? edit = null) => new()
    {
        ChannelAccountId = Guid.Parse("0193a000-0000-7000-8000-000000000002"), RenderedText = "Fresh beans on Friday.", LinkCardSnapshot = snapshot, LinkCard = edit,
    };

    [Fact]
    public void A_page_read_again_that_changed_its_title_description_link_or_thumbnail_changes_the_hash()
    {
        var approved = ContentHash.Of(WithSnapshot(Read()));
        Assert.NotEqual(ContentHash.Of(Bluesky()), approved);
        Assert.NotEqual(approved, ContentHash.Of(WithSnapshot(Read(title: "Open day!"))));
        Assert.NotEqual(approved, ContentHash.Of(WithSnapshot(Read(description: "Coffee and cake on the house"))));
        Assert.NotEqual(approved, ContentHash.Of(WithSnapshot(Read(uri: "https://pbl.example/r/abd"))));
        Assert.NotEqual(approved, ContentHash.Of(WithSnapshot(Read(thumb: "2222222222222222222222222222222222222222222222222222222222222222"))));
        Assert.NotEqual(approved, ContentHash.Of(WithSnapshot(Read(thumb: null))));
        Assert.NotEqual(ContentHash.Of(WithSnapshot(Read("ab", "c"))), ContentHash.Of(WithSnapshot(Read("a", "bc"))));
    }

    [Fact]
    public void A_page_read_again_that_came_back_the_same_keeps_the_hash()
    {
        var again = Read();
        again.ReadAt = again.ReadAt.AddHours(3);
        Assert.Equal(ContentHash.Of(WithSnapshot(Read())), ContentHash.Of(WithSnapshot(again)));
        Assert.True(again.SameCardAs(Read()));
        Assert.False(Read(title: "Other").SameCardAs(Read()));
    }

    [Fact]
    public void The_outgoing_card_is_the_authors_words_over_the_pages_and_its_picture_by_their_choice()
    {
        var fallback = new LinkCardImage { Key = new string('f', 64), ContentType = "image/png", FileName = "beans.png" };
        var page = OutgoingLinkCard.Of(Read(), null, fallback)!;
        Assert.Equal(("https://pbl.example/r/abc", "Open day", "Coffee on the house"), (page.Uri, page.Title, page.Description));
        Assert.Equal(Read().ThumbKey, page.Thumb?.Key);
        Assert.Equal(fallback.Key, OutgoingLinkCard.Of(Read(thumb: null), null, fallback)!.Thumb?.Key);

        var edited = OutgoingLinkCard.Of(Read(), Edited("Ours", "Our words", LinkCardThumb.Attachment), fallback)!;
        Assert.Equal(("Ours", "Our words", fallback.Key), (edited.Title, edited.Description, edited.Thumb?.Key));
        Assert.Null(OutgoingLinkCard.Of(Read(), Edited(thumb: LinkCardThumb.None), fallback)!.Thumb);
        Assert.Null(OutgoingLinkCard.Of(Read(), new LinkCardEdit { Removed = true }, fallback));
        Assert.Null(OutgoingLinkCard.Of(null, null, fallback));
        // The author's words stay theirs when the page is read again: only the picture (the page's) follows it.
        Assert.Equal("Ours", OutgoingLinkCard.Of(Read(title: "Changed"), Edited("Ours"), fallback)!.Title);
    }
}
