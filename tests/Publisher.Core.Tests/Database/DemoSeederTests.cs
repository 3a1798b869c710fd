using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Testing;

namespace Publisher.Core.Tests.Database;

[Collection(PostgresCollection.Name)]
public class DemoSeederTests(PostgresServer postgres)
{
    [Fact]
    public async Task Seeds_a_user_per_role_accounts_and_messages_once()
    {
        var connectionString = await postgres.CreateMigratedDatabaseAsync("seed");
        var services = new ServiceCollection().AddDatabaseTools(connectionString, "http://127.0.0.1:5080").BuildServiceProvider();

        IReadOnlyList<DemoUser> created;
        await using (var scope = services.CreateAsyncScope())
            created = await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();

        Assert.Equal(Roles.All.Order(), created.Select(u => u.Role).Order());
        await using (var scope = services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            foreach (var demo in created)
            {
                var user = await users.FindByEmailAsync(demo.Email);
                Assert.NotNull(user);
                Assert.True(await users.CheckPasswordAsync(user, demo.Password));
                Assert.True(await users.IsInRoleAsync(user, demo.Role));
            }

            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            Assert.True(await db.ChannelAccounts.CountAsync() >= 5);
            Assert.All(await db.ChannelAccounts.ToListAsync(), a => Assert.True(a.IsDemo));
            // Threads and Instagram are there for a new user to see on Channels and in previews.
            var threads = await db.Variants.Include(v => v.ChannelAccount).Where(v => v.ChannelAccount!.Kind == "Threads").ToListAsync();
            Assert.NotEmpty(threads);
            Assert.All(threads, v => Assert.False(v.HasRenderErrors));
            var instagram = Assert.Single(await db.Variants.Include(v => v.ChannelAccount).Where(v => v.ChannelAccount!.Kind == "Instagram").ToListAsync());
            Assert.Equal(VariantState.Draft, instagram.State); // a draft, since Instagram needs an image the demo does not have
            Assert.False(await db.Variants.AnyAsync(v => v.ChannelAccount!.Kind == "Instagram" && v.State == VariantState.Published));
            Assert.True(await db.Variants.CountAsync() >= 5);
            Assert.All(await db.Variants.ToListAsync(), v =>
            {
                Assert.Equal(Publisher.Core.Workflow.ContentHash.Of(v), v.ContentHash);
                Assert.False(string.IsNullOrWhiteSpace(v.RenderedText));
                Assert.NotNull(v.StyleGuideVersionHash);
                Assert.InRange(v.StyleScore ?? -1, 0, 100);
            });
            Assert.Equal(Enum.GetValues<Publisher.Templates.Channels.ChannelKind>().Length, await db.ChannelTemplateVersions.CountAsync());
            // Ninety days of analytics, already rolled up for the dashboard.
            Assert.True(await db.Clicks.CountAsync() > 1000, "the demo has clicks");
            Assert.True(await db.Conversions.CountAsync(c => c.Kind == 3) > 10, "the demo has sales");
            Assert.True(await db.ChannelHours.AnyAsync(h => h.Channel.StartsWith("account:") && h.Kind == 3 && h.LastTouchRevenue > 0), "sales are credited to accounts");
            Assert.True(await db.ChannelHours.AnyAsync(h => h.Channel.StartsWith("other:")), "visits from elsewhere are credited to their source");
            Assert.True(await db.EngagementSnapshots.AnyAsync(), "the posts have engagement readings");
            Assert.True(await db.Clicks.MinAsync(c => c.At) < DateTimeOffset.UtcNow.AddDays(-60));
            Assert.Equal(1, await db.StyleGuideVersions.CountAsync());
        }

        await using (var scope = services.CreateAsyncScope())
            Assert.Empty(await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync());
        await using (var scope = services.CreateAsyncScope())
            Assert.Equal(created.Count, await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().Users.CountAsync());
    }
}
