using System.Security.Cryptography;
using System.Text;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Web.Pages.Shared;

namespace Publisher.Web.Pages.Calendar;

/// <summary>
/// The iCalendar feed: <c>GET /calendar/feed/{secret}.ics</c>, so Outlook, Google Calendar or Apple Calendar
/// can subscribe. Calendar apps cannot sign in, so the secret in the address is the authorization; only its
/// SHA-256 is stored, and revoking it (on the profile page) makes the address answer 404, as does its owner
/// losing every role or being locked out.
/// </summary>
public static class CalendarFeed
{
    /// <summary>How far back and ahead the feed reaches.</summary>
    public static readonly TimeSpan Past = TimeSpan.FromDays(60), Ahead = TimeSpan.FromDays(400);

    /// <summary>Each event lasts this long: a post is a moment, but calendars need an end.</summary>
    public static readonly TimeSpan EventLength = TimeSpan.FromMinutes(15);

    public static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static IEndpointConventionBuilder MapCalendarFeed(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/calendar/feed/{token}.ics", async (string token, HttpContext http, PublisherDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        {
            if (token.Length is < 20 or > 100)
                return Results.NotFound();
            var hash = Hash(token);
            var now = clock.GetUtcNow();
            // The feed answers only while its owner may see the calendar: an account with no role left, or locked
            // out, gets the same 404 as a revoked address.
            var user = await db.Users.AsNoTracking().Where(u => u.CalendarFeedTokenHash == hash)
                .Where(u => db.UserRoles.Any(r => r.UserId == u.Id) && !(u.LockoutEnabled && u.LockoutEnd > now))
                .Select(u => new { u.Id, u.DisplayName }).SingleOrDefaultAsync(cancellationToken);
            if (user is null)
                return Results.NotFound();
            var entries = await CalendarEntries.LoadAsync(db, now - Past, now + Ahead, null, cancellationToken);
            var baseUrl = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
            var text = Serialize(entries.Where(e => e.State != VariantState.Canceled), baseUrl, now);
            http.Response.Headers.CacheControl = "private, max-age=300";
            return Results.Text(text, "text/calendar; charset=utf-8");
        })
        .AllowAnonymous()
        .WithName("CalendarFeed");

    public static string Serialize(IEnumerable<CalendarEntry> entries, string baseUrl, DateTimeOffset now)
    {
        var calendar = new Ical.Net.Calendar { ProductId = "-//Publisher//Content calendar//EN" };
        calendar.AddProperty("X-WR-CALNAME", "Publisher");
        foreach (var e in entries)
        {
            var start = new CalDateTime(e.At.UtcDateTime, CalDateTime.UtcTzId);
            calendar.Events.Add(new CalendarEvent
            {
                Uid = $"{e.VariantId}@publisher",
                DtStart = start,
                DtEnd = new CalDateTime(e.At.Add(EventLength).UtcDateTime, CalDateTime.UtcTzId),
                DtStamp = new CalDateTime(now.UtcDateTime, CalDateTime.UtcTzId),
                // A held post says so where a calendar app shows it: in its title, before the first words.
                Summary = $"{(e.Held ? "[HELD] " : "")}{ChannelNames.Of(e.Kind)} · {e.Account}: {e.Preview}",
                Description = $"{e.Title}\n{e.StateText}{(e.Campaign is null ? "" : " · campaign " + e.Campaign)}"
                    + (e.HeldReason is { } held ? $"\n{held}" : "")
                    + (e.EditOutdated ? "\nThe message changed since this variant was edited by hand." : "")
                    + $"\n\n{e.Preview}",
                Url = new Uri($"{baseUrl}/Variants/{e.VariantId}"),
                Categories = e.Held ? [e.Badge, HeldView.Badge] : [e.Badge],
            });
        }
        return new CalendarSerializer().SerializeToString(calendar) ?? "";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
