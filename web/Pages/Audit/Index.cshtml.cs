using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Web.Security;
using Publisher.Web.Time;

namespace Publisher.Web.Pages.Audit;

/// <summary>
/// Who did what to which variant and when. Read-only: the code has no path that changes or deletes an
/// audit event, and the database refuses it too.
/// </summary>
[Authorize(Policy = Policies.Audit)]
public class IndexModel(PublisherDbContext db, UserTimeZone userZone, TimeProvider clock) : PageModel
{
    public const int PageSize = 200;

    [BindProperty(SupportsGet = true)] public string? Actor { get; set; }
    [BindProperty(SupportsGet = true)] public string? Action { get; set; }
    [BindProperty(SupportsGet = true)] public string? Entity { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }

    public IReadOnlyList<AuditEvent> Events { get; private set; } = [];
    public IReadOnlyList<string> Actions { get; private set; } = [];
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    /// <summary>Said when a day asked for was outside the planning window and the nearest day inside it is used.</summary>
    public string? Clamped { get; private set; }

    public async Task OnGetAsync()
    {
        Zone = await userZone.GetAsync();
        Events = await Filtered().OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(PageSize).ToListAsync();
        Actions = await db.AuditEvents.Select(e => e.Action).Distinct().OrderBy(a => a).ToListAsync();
    }

    /// <summary>The same filter as the page, every matching event, as CSV (RFC 4180).</summary>
    public async Task<IActionResult> OnGetCsvAsync()
    {
        var csv = new StringBuilder("at_utc,actor,action,entity_type,entity_id,from_state,to_state,reason\r\n");
        await foreach (var e in Filtered().OrderBy(e => e.At).ThenBy(e => e.Id).AsAsyncEnumerable())
        {
            csv.AppendJoin(',', new[] { e.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"), e.ActorName, e.Action, e.EntityType, e.EntityId, e.FromState, e.ToState, e.Reason }.Select(Field));
            csv.Append("\r\n");
        }
        return File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", $"publisher-audit-{DateTime.UtcNow:yyyyMMdd-HHmm}.csv");
    }

    private static string Field(string? value)
    {
        value ??= "";
        // A leading =, +, - or @ would run as a formula in a spreadsheet.
        if (value.Length > 0 && "=+-@".Contains(value[0]))
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    private IQueryable<AuditEvent> Filtered()
    {
        // Days like 0001-01-01 or 9999-12-31 would overflow on the way to UTC: the nearest day inside the window is used.
        From = ClampDay(From);
        To = ClampDay(To);
        var query = db.AuditEvents.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(Actor)) query = query.Where(e => e.ActorName.Contains(Actor));
        if (!string.IsNullOrWhiteSpace(Action)) query = query.Where(e => e.Action == Action);
        if (!string.IsNullOrWhiteSpace(Entity)) query = query.Where(e => e.EntityId == Entity.Trim());
        if (From is { } from) query = query.Where(e => e.At >= Zone.LocalMidnightUtc(from));
        if (To is { } to) query = query.Where(e => e.At < Zone.LocalMidnightUtc(to.AddDays(1)));
        return query;
    }

    private DateOnly? ClampDay(DateOnly? asked)
    {
        if (asked is not { } day || PlanningWindow.Clamp(day, clock.GetUtcNow()) is var clamped && clamped == day)
            return asked;
        Clamped = PlanningWindow.Clamped(day, clamped);
        return clamped;
    }

    public DateTime Local(DateTimeOffset at) => Zone.Local(at);
}
