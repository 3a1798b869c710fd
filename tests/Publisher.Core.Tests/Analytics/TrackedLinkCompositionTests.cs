using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Analytics;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;
using Publisher.StyleGuide;
using Publisher.Templates.Rendering;
using Publisher.Testing;

namespace Publisher.Core.Tests.Analytics;

/// <summary>Tracked links as the composer makes them: stable, approved with their destination, registered for the redirect.</summary>
[Collection(PostgresCollection.Name)]
public class TrackedLinkCompositionTests(PostgresServer postgres) : IAsyncLifetime
{
    private const string PublicUrl = "https://go.northwind.example";
    private static readonly VariantRenderer Renderer = new();
    private static readonly StyleGuideLinter Linter = new();
    private string _db = "";

    public async Task InitializeAsync() => _db = await postgres.CreateMigratedDatabaseAsync("links");

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<(Guid VariantId, Guid AccountId)> SeedAsync(PublisherDbContext db, bool trackLinks = true, string kind = "Mastodon")
    {
        var user = new AppUser { UserName = $"u{Guid.NewGuid():N}", Email = $"{Guid.NewGuid():N}@example.test", DisplayName = "Writer" };
        db.Users.Add(user);
        var account = new ChannelAccount { Name = $"{kind} {Guid.NewGuid():N}", Kind = kind, TrackLinks = trackLinks };
        db.ChannelAccounts.Add(account);
        var message = new Message
        {
            Title = "Autumn Blend", BodyMarkdown = "Notes of fig. Brewing tips: https://northwind.coffee/guides/brew", Link = "https://northwind.coffee/autumn",
            AuthorId = user.Id, TimeZone = "Europe/Paris",
        };
        db.Messages.Add(message);
        var variant = new Variant { MessageId = message.Id, ChannelAccountId = account.Id };
        var composer = new VariantComposer(db, Renderer, Linter, PublicUrl);
        var context = await composer.LoadContextAsync();
        composer.Apply(context, variant, message, account, composer.Render(context, variant.Id, message, account, null, "Writer"), []);
        db.Variants.Add(variant);
        await db.SaveChangesAsync();
        return (variant.Id, account.Id);
    }

    [Fact]
    public async Task A_rendered_variant_carries_short_links_which_the_redirect_table_knows_and_a_re_render_keeps_them()
    {
        await using var db = PostgresServer.NewContext(_db);
        var (variantId, _) = await SeedAsync(db);
        var variant = await db.Variants.Include(v => v.Message).Include(v => v.ChannelAccount).SingleAsync(v => v.Id == variantId);

        var links = JsonSerializer.Deserialize<List<VariantLink>>(variant.LinksJson!, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(2, links.Count);
        Assert.All(links, l =>
        {
            Assert.Equal($"{PublicUrl}/l/{l.Code}", l.ShortUrl);
            Assert.Contains(l.ShortUrl, variant.RenderedText);
            Assert.Contains("utm_source=mastodon", l.Destination);
        });
        Assert.Equal(links[0].ShortUrl, variant.Link);
        Assert.DoesNotContain("northwind.coffee/autumn", variant.RenderedText);

        var registered = await db.TrackedLinks.Where(t => t.VariantId == variantId).OrderBy(t => t.Destination).ToListAsync();
        Assert.Equal(links.Select(l => (l.Code, l.Destination)).OrderBy(p => p.Destination), registered.Select(t => (t.Code, t.Destination)));

        // Rendering the same message again changes nothing that was approved.
        var hash = variant.ContentHash;
        var composer = new VariantComposer(db, Renderer, Linter, PublicUrl);
        var context = await composer.LoadContextAsync();
        var changed = composer.Apply(context, variant, variant.Message!, variant.ChannelAccount!,
            composer.Render(context, variant.Id, variant.Message!, variant.ChannelAccount!, null, "Writer"), []);
        Assert.False(changed);
        Assert.Equal(hash, variant.ContentHash);
    }

    [Fact]
    public async Task The_content_hash_covers_where_each_short_link_leads()
    {
        await using var db = PostgresServer.NewContext(_db);
        var (variantId, _) = await SeedAsync(db);
        var variant = await db.Variants.AsNoTracking().SingleAsync(v => v.Id == variantId);
        var before = ContentHash.Of(variant);
        variant.LinksJson = variant.LinksJson!.Replace("northwind.coffee/autumn", "evil.coffee/autumn");
        Assert.NotEqual(before, ContentHash.Of(variant));
        variant.LinksJson = null;
        Assert.NotEqual(before, ContentHash.Of(variant));
    }

    [Fact]
    public async Task An_account_with_tracking_off_goes_out_with_utm_tags_only()
    {
        await using var db = PostgresServer.NewContext(_db);
        var (variantId, _) = await SeedAsync(db, trackLinks: false);
        var variant = await db.Variants.SingleAsync(v => v.Id == variantId);
        Assert.Null(variant.LinksJson);
        Assert.Contains("https://northwind.coffee/autumn?utm_source=mastodon", variant.RenderedText);
        Assert.Equal(0, await db.TrackedLinks.CountAsync(t => t.VariantId == variantId));
    }

    [Fact]
    public async Task A_link_typed_into_a_hand_edit_is_tracked_and_a_kept_short_link_stays()
    {
        await using var db = PostgresServer.NewContext(_db);
        var (variantId, _) = await SeedAsync(db);
        var variant = await db.Variants.Include(v => v.Message).Include(v => v.ChannelAccount).SingleAsync(v => v.Id == variantId);
        var kept = variant.Link!;
        variant.ManualOverride = $"Fig and cocoa. {kept} and our shops: https://northwind.coffee/shops";

        var composer = new VariantComposer(db, Renderer, Linter, PublicUrl);
        var context = await composer.LoadContextAsync();
        composer.Apply(context, variant, variant.Message!, variant.ChannelAccount!,
            composer.Render(context, variant.Id, variant.Message!, variant.ChannelAccount!, null, "Writer"), []);
        await db.SaveChangesAsync();

        Assert.DoesNotContain("northwind.coffee/shops", variant.ManualOverride);
        var links = JsonSerializer.Deserialize<List<VariantLink>>(variant.LinksJson!, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(2, links.Count);
        Assert.Equal(kept, links[0].ShortUrl);
        Assert.StartsWith("https://northwind.coffee/shops?utm_source=mastodon", links[1].Destination);
        Assert.Contains(links[1].ShortUrl, variant.ManualOverride);
        Assert.True(await db.TrackedLinks.AnyAsync(t => t.Code == links[1].Code && t.VariantId == variantId));
    }
}
