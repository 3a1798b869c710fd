using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;

namespace Publisher.Web.Tests.Calendar;

/// <summary>
/// Rows of their own for the calendar tests: the web app's database is shared by every test class of the
/// collection, so each test makes its own user, accounts and messages and filters the calendar to them.
/// </summary>
public static class CalendarData
{
    public static string Unique(string prefix) => $"{prefix} {Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>A new user with one role and, optionally, a time zone of their own; signed in.</summary>
    public static async Task<(HttpClient Client, string UserId)> UserAsync(PublisherWebApp app, string role, string? zone)
    {
        var email = $"cal-{Guid.NewGuid():N}@tests.publisher.local";
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = new AppUser { UserName = email, Email = email, DisplayName = Unique("Calendar tester"), EmailConfirmed = true, TimeZone = zone };
            Assert.True((await users.CreateAsync(user, PublisherWebApp.Password)).Succeeded);
            await users.AddToRoleAsync(user, role);
        }
        var client = await app.SignInAsync(email, PublisherWebApp.Password);
        await using var scope2 = app.Services.CreateAsyncScope();
        var id = await scope2.ServiceProvider.GetRequiredService<PublisherDbContext>().Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
        return (client, id);
    }

    public static async Task<ChannelAccount> AccountAsync(PublisherWebApp app, string kind = "Mastodon", params string[] slots)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var account = new ChannelAccount { Name = Unique("Calendar " + kind), Kind = kind, Handle = "@cal", IsDemo = true, Color = "#0f766e", PostingSlots = [.. slots], CreatedAt = DateTimeOffset.UtcNow };
        db.ChannelAccounts.Add(account);
        await db.SaveChangesAsync();
        return account;
    }

    /// <summary>One message with one variant per account at <paramref name="at"/>; approved ones carry a valid approval.</summary>
    public static async Task<List<Variant>> MessageAsync(PublisherWebApp app, string authorId, DateTimeOffset at, VariantState state, string title, params ChannelAccount[] accounts)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var approverId = await db.Users.Where(u => u.Email == PublisherWebApp.EmailFor(Roles.Approver)).Select(u => u.Id).SingleAsync();
        var message = new Message { Title = title, BodyMarkdown = "Fresh beans from the roastery.", AuthorId = authorId, TimeZone = "Europe/Paris", PlannedAt = at, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
        db.Messages.Add(message);
        var variants = new List<Variant>();
        foreach (var account in accounts)
        {
            var variant = new Variant
            {
                MessageId = message.Id, ChannelAccountId = account.Id, RenderedText = $"Fresh beans from the roastery, on {account.Kind}. Come taste them.",
                State = state, ScheduledAt = at, UpdatedAt = DateTimeOffset.UtcNow,
            };
            variant.ContentHash = ContentHash.Of(variant);
            if (state is VariantState.Approved or VariantState.Scheduled or VariantState.Published)
                variant.Approvals.Add(new Approval { ApproverId = approverId, ContentHash = variant.ContentHash, Decision = ApprovalDecision.Approved, Step = 0, Role = Roles.Approver, At = DateTimeOffset.UtcNow });
            if (state == VariantState.Published)
                variant.PublishedAt = at;
            db.Variants.Add(variant);
            variants.Add(variant);
        }
        await db.SaveChangesAsync();
        return variants;
    }

    public static async Task<Variant> ReloadAsync(PublisherWebApp app, Guid variantId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().Variants.AsNoTracking().Include(v => v.Approvals).SingleAsync(v => v.Id == variantId);
    }

    /// <summary>Adds the antiforgery header the API wants, from the calendar page's meta tag.</summary>
    public static async Task<HttpClient> WithTokenAsync(HttpClient client)
    {
        var html = await client.GetStringAsync("/Calendar");
        var token = Regex.Match(html, "name=\"request-verification-token\" content=\"([^\"]+)\"").Groups[1].Value;
        client.DefaultRequestHeaders.Remove("RequestVerificationToken");
        client.DefaultRequestHeaders.Add("RequestVerificationToken", WebUtility.HtmlDecode(token));
        return client;
    }

    /// <summary>The local times (HH:mm) of the calendar entries of one variant in the page's HTML.</summary>
    public static string? EntryTime(string html, Guid variantId)
    {
        var match = Regex.Match(html, $"data-variant=\"{variantId}\" data-date=\"([0-9-]+)\" data-time=\"([0-9:]+)\"");
        return match.Success ? match.Groups[1].Value + " " + match.Groups[2].Value : null;
    }
}
