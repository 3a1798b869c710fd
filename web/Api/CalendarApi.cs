using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using Publisher.Core.Publishing;
using Publisher.Web.Pages.Calendar;
using Publisher.Web.Security;

namespace Publisher.Web.Api;

/// <summary>
/// What the calendar's drag and drop and its reschedule dialog call. A refusal comes back as 409 with the
/// reason in <c>error</c>, so the page can show it and put the entry back where it was.
/// </summary>
public static class CalendarApi
{
    /// <summary>A move to a day and time as the user sees them, in their own zone.</summary>
    public sealed record MoveRequest(Guid VariantId, string? Date, string? Time);

    public sealed record SlotRequest(Guid VariantId);

    public static void MapCalendarApi(this RouteGroupBuilder api)
    {
        api.MapPost("/calendar/move", async ([FromBody] MoveRequest request, Rescheduler rescheduler, ClaimsPrincipal user, TimeProvider clock, CancellationToken cancellationToken) =>
        {
            if (!DateOnly.TryParseExact(request.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                return Results.BadRequest(new { error = "Choose a day (YYYY-MM-DD)." });
            if (!TimeOnly.TryParseExact(request.Time, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
                return Results.BadRequest(new { error = "Choose a time on the 24-hour clock, like 09:30." });
            if (PlanningWindow.Outside(date, clock.GetUtcNow()) is { } outside)
                return Results.BadRequest(new { error = outside });
            return Answer(await rescheduler.MoveAsync(request.VariantId, date, time, user.Actor(), cancellationToken));
        }).RequireAuthorization(Policies.Author);

        api.MapPost("/calendar/next-slot", async ([FromBody] SlotRequest request, Rescheduler rescheduler, ClaimsPrincipal user, CancellationToken cancellationToken) =>
            Answer(await rescheduler.NextFreeSlotAsync(request.VariantId, user.Actor(), cancellationToken)))
            .RequireAuthorization(Policies.Author);
    }

    private static IResult Answer(Rescheduler.Outcome outcome)
    {
        if (outcome.NotFound)
            return Results.NotFound(new { error = outcome.Error });
        if (!outcome.Moved)
            return Results.Conflict(new { error = outcome.Error });
        return Results.Ok(new
        {
            at = outcome.At,
            date = outcome.Local!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            time = outcome.Local.Value.ToString("HH:mm", CultureInfo.InvariantCulture),
            state = outcome.State.ToString(),
            badge = CalendarEntries.Badge(outcome.State!.Value),
        });
    }
}
