using Publisher.Core.Domain;
using Publisher.Core.Workflow;

namespace Publisher.Core.Tests.Workflow;

/// <summary>The approval hash covers the link card: the author's edit, its removal, and the image it falls back to.</summary>
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
}
