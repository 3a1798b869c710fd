using Microsoft.EntityFrameworkCore;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;
using Publisher.StyleGuide;
using Publisher.Templates.Rendering;
using Publisher.Testing;

namespace Publisher.Core.Tests.Composition;

[Collection(PostgresCollection.Name)]
public class StyleGuideRecheckTests(PostgresServer postgres) : IAsyncLifetime
{
    private static readonly StyleGuideLinter Linter = new();
    private static readonly VariantRenderer Renderer = new();
    private static readonly Actor BrandManager = new(null, "Brenda Manager");
    private string _db = "";

    public async Task InitializeAsync() => _db = await postgres.CreateMigratedDatabaseAsync("recheck");

    public Task DisposeAsync() => Task.CompletedTask;

    private static StyleGuideVersions Versions(PublisherDbContext db)
    {
        var workflow = new VariantWorkflow(db, TimeProvider.System);
        var composer = new VariantComposer(db, Renderer, Linter);
        return new StyleGuideVersions(db, workflow, new StyleGuideRecheck(db, composer, workflow, TimeProvider.System), TimeProvider.System);
    }

    private static BrandStyleGuide Banning(params string[] terms) => BrandStyleGuide.Empty with
    {
        Vocabulary = BrandVocabulary.Empty with { Banned = new ValueList<BannedTerm>(terms.Select(t => new BannedTerm(t, "We say good value."))) },
    };

    private async Task<(string AuthorId, Dictionary<VariantState, Guid> Variants)> SeedAsync(string text, params VariantState[] states)
    {
        await using var db = PostgresServer.NewContext(_db);
        var user = new AppUser { UserName = $"u{Guid.NewGuid():N}", Email = $"{Guid.NewGuid():N}@example.test", DisplayName = "Writer" };
        db.Users.Add(user);
        var ids = new Dictionary<VariantState, Guid>();
        foreach (var state in states)
        {
            var account = new ChannelAccount { Name = $"Mastodon {Guid.NewGuid():N}", Kind = "Mastodon" };
            db.ChannelAccounts.Add(account);
            var message = new Message { Title = "Autumn Blend", AuthorId = user.Id, TimeZone = "Europe/Paris" };
            var variant = new Variant
            {
                MessageId = message.Id, ChannelAccountId = account.Id, RenderedText = text, State = state,
                ScheduledAt = DateTimeOffset.UtcNow.AddDays(2),
            };
            message.Variants.Add(variant);
            db.Messages.Add(message);
            ids[state] = variant.Id;
        }
        await db.SaveChangesAsync();
        return (user.Id, ids);
    }

    [Fact]
    public async Task A_new_banned_term_holds_back_a_scheduled_variant_and_tells_its_author_then_removing_it_releases_the_variant()
    {
        var (authorId, ids) = await SeedAsync("Our cheap Autumn Blend is back.", VariantState.Scheduled);
        var id = ids[VariantState.Scheduled];

        await using (var db = PostgresServer.NewContext(_db))
        {
            var saved = await Versions(db).SaveAsync(Banning("cheap"), "ban cheap", BrandManager);
            Assert.Equal(1, saved.Recheck.Held);
        }
        await using (var db = PostgresServer.NewContext(_db))
        {
            var variant = await db.Variants.SingleAsync(v => v.Id == id);
            Assert.True(variant.HeldByStyleGuide);
            Assert.True(variant.HasStyleErrors);
            Assert.Equal(Banning("cheap").ComputeVersion(), variant.StyleGuideVersionHash);
            Assert.Equal(VariantState.Scheduled, variant.State);
            var notification = await db.Notifications.SingleAsync(n => n.UserId == authorId);
            Assert.Contains("Autumn Blend", notification.Text);
            Assert.Contains("held back", notification.Text);
            Assert.Contains(id.ToString(), notification.Link);
            Assert.Contains(await db.AuditEvents.Where(a => a.EntityId == id.ToString()).Select(a => a.Action).ToListAsync(), a => a == "held by style guide");
        }

        await using (var db = PostgresServer.NewContext(_db))
        {
            var saved = await Versions(db).SaveAsync(Banning("synergy"), "cheap is fine again", BrandManager);
            Assert.Equal(1, saved.Recheck.Released);
        }
        await using (var db = PostgresServer.NewContext(_db))
        {
            var variant = await db.Variants.SingleAsync(v => v.Id == id);
            Assert.False(variant.HeldByStyleGuide);
            Assert.False(variant.HasStyleErrors);
            Assert.Contains(await db.AuditEvents.Where(a => a.EntityId == id.ToString()).Select(a => a.Action).ToListAsync(), a => a == "released by style guide");
            Assert.Equal([1, 2], await db.StyleGuideVersions.OrderBy(g => g.Number).Select(g => g.Number).ToListAsync());
        }
    }

    [Fact]
    public async Task Only_scheduled_variants_are_held_and_published_ones_are_not_checked_again()
    {
        var (authorId, ids) = await SeedAsync("A cheap trick.", VariantState.Draft, VariantState.Published, VariantState.Scheduled);

        await using (var db = PostgresServer.NewContext(_db))
            await Versions(db).SaveAsync(Banning("cheap"), null, BrandManager);

        await using (var check = PostgresServer.NewContext(_db))
        {
            var draft = await check.Variants.SingleAsync(v => v.Id == ids[VariantState.Draft]);
            Assert.True(draft.HasStyleErrors, "a draft is checked again");
            Assert.False(draft.HeldByStyleGuide, "a draft is not scheduled, so there is nothing to hold back");
            var published = await check.Variants.SingleAsync(v => v.Id == ids[VariantState.Published]);
            Assert.Null(published.StyleGuideVersionHash);
            Assert.True((await check.Variants.SingleAsync(v => v.Id == ids[VariantState.Scheduled])).HeldByStyleGuide);
            Assert.Equal(1, await check.Notifications.CountAsync(n => n.UserId == authorId));
        }
    }

    [Fact]
    public async Task An_accepted_warning_stays_accepted_when_the_guide_is_checked_again()
    {
        var guide = BrandStyleGuide.Empty with
        {
            Vocabulary = BrandVocabulary.Empty with { Preferred = [new PreferredTerm("sign up", ["signup"])] },
        };
        var (_, ids) = await SeedAsync("Signup today.", VariantState.Scheduled);
        var id = ids[VariantState.Scheduled];
        await using (var db = PostgresServer.NewContext(_db))
        {
            var key = Linter.Lint(guide, new LintInput { Channel = "Mastodon", Title = "Autumn Blend", Body = "Signup today." })
                .Findings.Single(f => f.Field == "body").Key;
            db.WarningAcceptances.Add(new WarningAcceptance { VariantId = id, FindingKey = key, Reason = "It is a noun here", AcceptedById = "x", AcceptedByName = "X" });
            await db.SaveChangesAsync();
        }
        await using (var db = PostgresServer.NewContext(_db))
            await Versions(db).SaveAsync(guide, null, BrandManager);
        await using (var check = PostgresServer.NewContext(_db))
        {
            var variant = await check.Variants.SingleAsync(v => v.Id == id);
            Assert.Equal(100, variant.StyleScore);
            Assert.Contains("\"accepted\":true", variant.StyleFindingsJson!.Replace(" ", ""));
        }
    }

    [Fact]
    public async Task More_variants_than_one_batch_are_all_checked()
    {
        await using (var db = PostgresServer.NewContext(_db))
        {
            var user = new AppUser { UserName = $"u{Guid.NewGuid():N}", Email = $"{Guid.NewGuid():N}@example.test", DisplayName = "Writer" };
            db.Users.Add(user);
            var account = new ChannelAccount { Name = $"X {Guid.NewGuid():N}", Kind = "X" };
            db.ChannelAccounts.Add(account);
            for (var i = 0; i < StyleGuideRecheck.BatchSize + 20; i++)
            {
                var message = new Message { Title = $"Post {i}", AuthorId = user.Id, TimeZone = "UTC" };
                message.Variants.Add(new Variant { MessageId = message.Id, ChannelAccountId = account.Id, RenderedText = "Cheap beans." });
                db.Messages.Add(message);
            }
            await db.SaveChangesAsync();
        }
        await using (var db = PostgresServer.NewContext(_db))
        {
            var saved = await Versions(db).SaveAsync(Banning("cheap"), null, BrandManager);
            Assert.Equal(StyleGuideRecheck.BatchSize + 20, saved.Recheck.Checked);
        }
        await using var check = PostgresServer.NewContext(_db);
        Assert.Equal(0, await check.Variants.CountAsync(v => !v.HasStyleErrors));
    }
}
