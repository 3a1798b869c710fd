using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Web.Security;

namespace Publisher.Web.Api;

/// <summary>The JSON API. Every endpoint names its policy; state-changing calls need the antiforgery header.</summary>
public static class PublisherApi
{
    public static void MapPublisherApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").AddEndpointFilter<ApiAntiforgery>();
        api.MapRenderApi();
        api.MapTemplatesApi();
        api.MapStyleGuideApi();
        api.MapCalendarApi();

        api.MapGet("/me", async (ClaimsPrincipal principal, UserManager<AppUser> users) =>
        {
            var user = await users.GetUserAsync(principal);
            if (user is null)
                return Results.Unauthorized();
            return Results.Ok(new { user.Id, user.Email, user.DisplayName, user.TimeZone, Roles = await users.GetRolesAsync(user) });
        }).RequireAuthorization(Policies.Account); // answers someone without a role too: with their empty roles

        api.MapGet("/variants", async (DateTimeOffset? from, DateTimeOffset? to, PublisherDbContext db, TimeProvider clock) =>
        {
            var now = clock.GetUtcNow();
            foreach (var (name, value) in new[] { ("from", from), ("to", to) })
            {
                if (value is { } at && (at < PlanningWindow.Start || at > PlanningWindow.End(now)))
                    return Results.Problem(statusCode: 400, title: "Date out of range",
                        detail: $"'{name}' is {at:yyyy-MM-dd}: give an instant from {PlanningWindow.FirstDay:yyyy-MM-dd} to {PlanningWindow.LastDay(now):yyyy-MM-dd} ({PlanningWindow.YearsAhead} years ahead), the days Publisher plans.");
            }
            var start = (from ?? now.AddDays(-7)).ToUniversalTime();
            var end = (to ?? start.AddDays(35)).ToUniversalTime();
            if (end <= start || end - start > TimeSpan.FromDays(400))
                return Results.Problem(statusCode: 400, title: "Invalid range", detail: "'to' must be after 'from' and at most 400 days later.");
            var variants = await db.Variants
                .Where(v => v.ScheduledAt >= start && v.ScheduledAt < end)
                .OrderBy(v => v.ScheduledAt)
                .Select(v => new
                {
                    v.Id, v.MessageId, Message = v.Message!.Title, Channel = v.ChannelAccount!.Name, v.ChannelAccount.Kind,
                    State = v.State.ToString(), v.ScheduledAt, v.Message.TimeZone,
                })
                .ToListAsync();
            return Results.Ok(variants);
        }).RequireAuthorization(Policies.SignedIn);

        api.MapGet("/admin/users", async (PublisherDbContext db) =>
            Results.Ok(await db.Users.OrderBy(u => u.Email)
                .Select(u => new { u.Id, u.Email, u.DisplayName, Locked = u.LockoutEnd > DateTimeOffset.UtcNow })
                .ToListAsync()))
            .RequireAuthorization(Policies.Admin);
    }
}
