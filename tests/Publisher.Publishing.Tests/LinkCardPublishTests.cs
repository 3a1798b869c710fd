using Publisher.Core.Domain;
using Publisher.Testing;

namespace Publisher.Publishing.Tests;

/// <summary>The worker hands the client the link card that was approved, and refuses a card changed since.</summary>
[Collection(PostgresCollection.Name)]
public class LinkCardPublishTests(PostgresServer postgres) : IAsyncLifetime
{
    private PublishingHarness _h = null!;

    public async Task InitializeAsync() => _h = await PublishingHarness.StartAsync(postgres);

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static readonly LinkCardImage Fallback = new()
    {
        Key = new string('d', 64), ContentType = "image/jpeg", Length = 1234, Width = 800, Height = 600, FileName = "beans.jpg", AltText = "Beans in a sack",
    };

    private static void Card(Variant variant)
    {
        variant.Link = "https://roastery.example/open-day";
        variant.LinkCard = new LinkCardEdit { Title = "Open day, our words", Description = "Coffee on the house.", Thumb = LinkCardThumb.Attachment };
        variant.LinkCardImage = Fallback;
    }

    [Fact]
    public async Task The_approved_card_and_its_fallback_image_reach_the_channel_client()
    {
        var id = await _h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddSeconds(-1), content: Card);

        await _h.RunJobAsync(id);

        var call = Assert.Single(_h.Client.Calls);
        Assert.Equal("Open day, our words", call.LinkCard?.Title);
        Assert.Equal("Coffee on the house.", call.LinkCard?.Description);
        Assert.Equal(LinkCardThumb.Attachment, call.LinkCard?.Thumb);
        Assert.Equal(Fallback.Key, call.LinkCardImage?.Key);
        Assert.Equal((800, 600, 1234L, "image/jpeg"), (call.LinkCardImage!.Width, call.LinkCardImage.Height, call.LinkCardImage.Length, call.LinkCardImage.ContentType));
        Assert.Equal(VariantState.Published, (await _h.LoadAsync(id)).State);
    }

    [Theory]
    [InlineData("edited")]
    [InlineData("removed")]
    public async Task A_card_changed_after_approval_is_not_published_and_goes_back_to_review(string change)
    {
        var id = await _h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddSeconds(-1), content: Card, tweak: v =>
            v.LinkCard = change == "removed" ? new LinkCardEdit { Removed = true } : new LinkCardEdit { Title = "Open day, changed after approval", Thumb = LinkCardThumb.Attachment });

        await _h.RunJobAsync(id);

        Assert.Empty(_h.Client.Calls);
        Assert.Equal(VariantState.InReview, (await _h.LoadAsync(id)).State);
    }

    private static LinkCardSnapshot Snapshot(string title = "Open day at the roastery") => new()
    {
        Uri = "https://roastery.example/open-day", Page = "https://roastery.example/open-day", Title = title, Description = "The page's words.", FromPage = true,
        ThumbKey = new string('e', 64), ThumbContentType = "image/jpeg", ThumbLength = 4321, ThumbWidth = 1200, ThumbHeight = 630, ReadAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task A_stored_card_reaches_the_channel_client_as_stored_with_its_thumbnail()
    {
        var id = await _h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddSeconds(-1), content: v =>
        {
            v.Link = "https://roastery.example/open-day";
            v.LinkCardSnapshot = Snapshot();
            v.LinkCardImage = Fallback;
        });

        await _h.RunJobAsync(id);

        var call = Assert.Single(_h.Client.Calls);
        Assert.True(call.LinkCardStored);
        var card = Assert.IsType<Publisher.Worker.Channels.StoredLinkCard>(call.StoredLinkCard);
        Assert.Equal(("https://roastery.example/open-day", "Open day at the roastery", "The page's words."), (card.Uri, card.Title, card.Description));
        Assert.Equal((new string('e', 64), "image/jpeg", 4321L, 1200, 630), (card.Thumb?.Key, card.Thumb?.ContentType, card.Thumb!.Length, card.Thumb.Width, card.Thumb.Height));
        Assert.Equal(VariantState.Published, (await _h.LoadAsync(id)).State);
    }

    [Fact]
    public async Task A_card_read_again_differently_after_approval_is_not_published_and_goes_back_to_review()
    {
        var id = await _h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddSeconds(-1), content: v =>
        {
            v.Link = "https://roastery.example/open-day";
            v.LinkCardSnapshot = Snapshot();
        }, tweak: v => v.LinkCardSnapshot = Snapshot("The page changed its title"));

        await _h.RunJobAsync(id);

        Assert.Empty(_h.Client.Calls);
        Assert.Equal(VariantState.InReview, (await _h.LoadAsync(id)).State);
    }
}
