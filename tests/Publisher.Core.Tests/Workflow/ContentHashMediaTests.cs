using Publisher.Core.Domain;
using Publisher.Core.Workflow;
using Publisher.Media;

namespace Publisher.Core.Tests.Workflow;

/// <summary>The approval hash covers each attached derivative's bytes (its SHA-256) and its alt text.</summary>
public class ContentHashMediaTests
{
    private static Variant WithMedia(params (string Key, string Alt)[] media)
    {
        var variant = new Variant { ChannelAccountId = Guid.Parse("0193a000-0000-7000-8000-000000000001"), RenderedText = "Fresh beans on Friday." };
        foreach (var (key, alt) in media)
            variant.Media.Add(new VariantMedia { Position = variant.Media.Count, Key = key, AltText = alt, ContentType = MediaTypes.Jpeg, FileName = "beans.jpg", Kind = MediaKind.Image });
        return variant;
    }

    private static readonly string Image1 = new('a', 64);
    private static readonly string Image2 = new('b', 64);

    [Fact]
    public void A_variant_without_media_hashes_as_before_media_existed()
    {
        var variant = WithMedia();
        Assert.Equal(ContentHash.Of(variant.ChannelAccountId, variant.EffectiveText, null, null, []), ContentHash.Of(variant));
    }

    [Fact]
    public void A_changed_image_or_alt_text_changes_the_hash_and_so_voids_the_approval()
    {
        var approved = ContentHash.Of(WithMedia((Image1, "Beans in a sack")));
        Assert.NotEqual(ContentHash.Of(WithMedia()), approved);
        Assert.NotEqual(approved, ContentHash.Of(WithMedia((Image2, "Beans in a sack"))));
        Assert.NotEqual(approved, ContentHash.Of(WithMedia((Image1, "Beans in a jute sack"))));
        Assert.NotEqual(ContentHash.Of(WithMedia((Image1, "x"), (Image2, "y"))), ContentHash.Of(WithMedia((Image2, "y"), (Image1, "x"))));
        Assert.Equal(approved, ContentHash.Of(WithMedia((Image1, "Beans in a sack"))));
    }
}
