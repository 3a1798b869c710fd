using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Core.Review;
using Publisher.Core.Workflow;
using Publisher.Web.Pages.Messages;
using Publisher.Web.Tests.Calendar;

namespace Publisher.Web.Tests.Browser;

/// <summary>
/// Messages made the way the app makes them (the editor's writer, the review service, the publish scheduler), as the
/// demo's marketer and approver, on accounts of their own so each test filters the calendar to what it made.
/// </summary>
public static class TruthData
{
    public static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    /// <summary>A Tuesday at least a week ahead in Paris, so its whole week is in the future.</summary>
    public static DateOnly TuesdayAhead()
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Paris).DateTime).AddDays(8);
        while (day.DayOfWeek != DayOfWeek.Tuesday)
            day = day.AddDays(1);
        return day;
    }

    public static async Task<Actor> DemoActorAsync(DemoSite site, string role)
    {
        var email = site.DemoUsers.Single(u => u.Role == role).Email;
        await using var scope = site.App.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().Users.SingleAsync(u => u.Email == email);
        return new Actor(user.Id, user.DisplayName);
    }

    /// <summary>A message saved through the editor's writer, with one draft per account; returns the variant ids by account.</summary>
    public static async Task<(Guid MessageId, Dictionary<Guid, Guid> Variants)> MessageAsync(DemoSite site, string title, string body, DateOnly day, int hour, params ChannelAccount[] accounts)
    {
        var marketer = await DemoActorAsync(site, Roles.Marketer);
        await using var scope = site.App.Services.CreateAsyncScope();
        var writer = scope.ServiceProvider.GetRequiredService<MessageWriter>();
        var form = new MessageForm
        {
            Title = title, Body = body, Link = "https://northwind.example/autumn", CallToAction = "Order now", Hashtags = "coffee",
            TimeZone = "Europe/Paris", PlannedLocal = day.ToDateTime(new TimeOnly(hour, 0)), AccountIds = accounts.Select(a => a.Id).ToList(),
        };
        var saved = await writer.SaveAsync(null, form, marketer);
        Assert.True(saved.Succeeded, string.Join(" ", saved.Errors.Select(e => e.Error)));
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var variants = await db.Variants.Where(v => v.MessageId == saved.MessageId).ToDictionaryAsync(v => v.ChannelAccountId, v => v.Id);
        return (saved.MessageId!.Value, variants);
    }

    public static async Task EditByHandAsync(DemoSite site, Guid messageId, Guid variantId, string text)
    {
        var marketer = await DemoActorAsync(site, Roles.Marketer);
        await using var scope = site.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var version = await db.Variants.Where(v => v.Id == variantId).Select(v => v.Version).SingleAsync();
        var result = await scope.ServiceProvider.GetRequiredService<MessageWriter>().EditVariantAsync(messageId, variantId, version, text, marketer);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Error)));
    }

    public static async Task SubmitAsync(DemoSite site, Guid variantId)
    {
        var marketer = await DemoActorAsync(site, Roles.Marketer);
        await using var scope = site.App.Services.CreateAsyncScope();
        var approvals = scope.ServiceProvider.GetRequiredService<ApprovalService>();
        var variant = (await approvals.FindAsync(variantId))!;
        var submitted = await approvals.SubmitAsync(variant, marketer);
        // The findings are in the message so a refusal says which rule refused it.
        Assert.True(submitted.Succeeded, $"{submitted.Error} {variant.StyleFindingsJson} {variant.ManualOverride} {variant.LinksJson}");
        await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().SaveChangesAsync();
    }

    /// <summary>Submits, approves as the demo approver and (its time being ahead) schedules the variant.</summary>
    public static async Task ApproveAsync(DemoSite site, Guid variantId)
    {
        await SubmitAsync(site, variantId);
        var approver = await DemoActorAsync(site, Roles.Approver);
        await using var scope = site.App.Services.CreateAsyncScope();
        var approvals = scope.ServiceProvider.GetRequiredService<ApprovalService>();
        var variant = (await approvals.FindAsync(variantId))!;
        var approved = await approvals.ApproveAsync(variant, approver, [Roles.Approver]);
        Assert.True(approved.Succeeded, approved.Error);
        await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().SaveChangesAsync();
        var scheduled = await scope.ServiceProvider.GetRequiredService<PublishScheduler>().ScheduleIfApprovedAsync(variant, approver);
        Assert.True(scheduled.Succeeded, scheduled.Error);
    }

    public static Task<Variant> LoadAsync(DemoSite site, Guid variantId) => CalendarData.ReloadAsync(site.App, variantId);

    public static async Task<T> QueryAsync<T>(DemoSite site, Func<PublisherDbContext, Task<T>> query)
    {
        await using var scope = site.App.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PublisherDbContext>());
    }
}
