using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Web.Pages.Shared;
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
            var rows = await VariantRows(db.Variants.Where(v => v.ScheduledAt >= start && v.ScheduledAt < end).OrderBy(v => v.ScheduledAt)).ToListAsync();
            return Results.Ok(rows.Select(VariantAnswer));
        }).RequireAuthorization(Policies.SignedIn);

        // One variant's state, for a page (or a script) waiting on the worker, and for tools.
        api.MapGet("/variants/{id:guid}", async (Guid id, PublisherDbContext db) =>
            await VariantRows(db.Variants.Where(v => v.Id == id)).FirstOrDefaultAsync() is { } row
                ? Results.Ok(VariantAnswer(row))
                : Results.NotFound(new { error = "No such variant: it may have been removed with its account." }))
            .RequireAuthorization(Policies.SignedIn);

        api.MapGet("/admin/users", async (PublisherDbContext db) =>
            Results.Ok(await db.Users.OrderBy(u => u.Email)
                .Select(u => new { u.Id, u.Email, u.DisplayName, Locked = u.LockoutEnd > DateTimeOffset.UtcNow, Deactivated = u.DeactivatedAt != null })
                .ToListAsync()))
            .RequireAuthorization(Policies.Admin);
    }

    /// <summary>What the API reads of a variant: the columns its answer needs, no texts beyond them.</summary>
    private sealed record VariantRow(
        Guid Id, Guid MessageId, string Message, string Channel, string Kind, VariantState State, DateTimeOffset? ScheduledAt, string TimeZone,
        bool Held, string? HeldFindings, bool EditOutdated, DateTimeOffset? PublishedAt, string? ExternalId, string? ExternalUrl, List<string> ExternalPartIds,
        string? Handle, string? BaseAddress, bool IsDemo, string? LastError);

    private static IQueryable<VariantRow> VariantRows(IQueryable<Variant> variants) => variants.Select(v => new VariantRow(
        v.Id, v.MessageId, v.Message!.Title, v.ChannelAccount!.Name, v.ChannelAccount.Kind, v.State, v.ScheduledAt, v.Message.TimeZone,
        v.HeldByStyleGuide, v.HeldByStyleGuide ? v.StyleFindingsJson : null,
        v.ManualOverride != null && v.Message.Fingerprint != null && v.SourceMessageHash != v.Message.Fingerprint,
        v.PublishedAt, v.ExternalId, v.ExternalUrl, v.ExternalPartIds, v.ChannelAccount.Handle, v.ChannelAccount.BaseAddress, v.ChannelAccount.IsDemo, v.LastError));

    /// <summary>
    /// A variant as the API answers it: its state (and whether the style guide holds it back, and why), and once it is
    /// out, every part's identifiers and address on the network.
    /// </summary>
    private static object VariantAnswer(VariantRow r)
    {
        var account = new ChannelAccount { Name = r.Channel, Kind = r.Kind, Handle = r.Handle, BaseAddress = r.BaseAddress, IsDemo = r.IsDemo };
        return new
        {
            r.Id, r.MessageId, r.Message, r.Channel, r.Kind, State = r.State.ToString(), r.ScheduledAt, r.TimeZone,
            r.Held,
            HeldReason = r.Held ? HeldView.Reason(r.HeldFindings) : null,
            MessageChangedSinceEdit = r.EditOutdated,
            r.PublishedAt, r.ExternalUrl, r.LastError,
            Parts = PostAddresses.PartsOf(account, r.ExternalPartIds, r.ExternalId, r.ExternalUrl)
                .Select(p => new { p.Number, p.Id, p.Cid, p.Url }),
        };
    }
}