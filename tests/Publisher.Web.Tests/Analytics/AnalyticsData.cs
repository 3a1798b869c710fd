using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Analytics;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;

namespace Publisher.Web.Tests.Analytics;

/// <summary>Variants with tracked links, made the way the editor makes them, and waiting for what the queues write.</summary>
public static class AnalyticsData
{
    public sealed record TrackedVariant(Guid VariantId, Guid AccountId, Guid MessageId, IReadOnlyList<VariantLink> Links);

    public static async Task<TrackedVariant> VariantAsync(IServiceProvider services, string kind = "X", string link = "https://northwind.coffee/autumn",
        VariantState state = VariantState.Published, Guid? campaignId = null, DateTimeOffset? publishedAt = null)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        await DatabaseInitializer.SeedDefaultsAsync(db, TimeProvider.System);
        var author = await db.Users.OrderBy(u => u.Email).FirstAsync();
        var account = new ChannelAccount { Name = $"{kind} {Guid.NewGuid():N}", Kind = kind, Handle = "@northwind", IsDemo = true };
        db.ChannelAccounts.Add(account);
        var message = new Message
        {
            Title = "Autumn Blend", BodyMarkdown = "Notes of fig and cocoa.", Summary = "Autumn Blend is back.", Link = link, AuthorId = author.Id,
            TimeZone = "Europe/Paris", CampaignId = campaignId, PlannedAt = publishedAt ?? DateTimeOffset.UtcNow.AddHours(-1),
        };
        db.Messages.Add(message);
        var composer = scope.ServiceProvider.GetRequiredService<VariantComposer>();
        var context = await composer.LoadContextAsync();
        var variant = new Variant { MessageId = message.Id, ChannelAccountId = account.Id, State = state, ScheduledAt = message.PlannedAt };
        composer.Apply(context, variant, message, account, composer.Render(context, variant.Id, message, account, null, "Writer"), []);
        if (state == VariantState.Published)
        {
            variant.PublishedAt = publishedAt ?? DateTimeOffset.UtcNow.AddHours(-1);
            variant.ExternalId = $"demo-{variant.Id:N}";
        }
        db.Variants.Add(variant);
        await db.SaveChangesAsync();
        var links = JsonSerializer.Deserialize<List<VariantLink>>(variant.LinksJson ?? "[]", new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        return new TrackedVariant(variant.Id, account.Id, message.Id, links);
    }

    /// <summary>Polls until <paramref name="read"/> gives a value <paramref name="done"/> accepts, or fails after the deadline with the last value.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? within = null, string what = "the expected rows",
        Func<T, string>? describe = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var value = await read();
            if (done(value))
                return value;
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"Waited in vain for {what}; last seen: {(describe is null ? value : describe(value))}");
            await Task.Delay(100);
        }
    }

    public static async Task<T> WithDbAsync<T>(IServiceProvider services, Func<PublisherDbContext, Task<T>> read)
    {
        await using var scope = services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<PublisherDbContext>());
    }
}
