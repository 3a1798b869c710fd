using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Web.Pages.Shared;
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
    /// <summary>What each event is about, by its title or name, keyed by entity type and id.</summary>
    public IReadOnlyDictionary<(string Type, string Id), string> Names { get; private set; } = new Dictionary<(string, string), string>();

    public async Task OnGetAsync()
    {
        Zone = await userZone.GetAsync();
        Events = await Filtered().OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(PageSize).ToListAsync();
        Actions = await db.AuditEvents.Select(e => e.Action).Distinct().OrderBy(a => a).ToListAsync();
        Names = await NamesAsync(Events);
    }

    /// <summary>The name of the thing an event is about, or null when it is gone (or never had one).</summary>
    public string? NameOf(AuditEvent e) => Names.GetValueOrDefault((e.EntityType, e.EntityId));

    /// <summary>A short form of the id, for things that have no name.</summary>
    public static string ShortId(string id) => id[..Math.Min(8, id.Length)];

    /// <summary>Reasons were written with instants in UTC; shown in the reader's zone like every other time on the page.</summary>
    public string Localize(string? reason) => Zone.LocalizeUtc(reason);

    private async Task<IReadOnlyDictionary<(string, string), string>> NamesAsync(IReadOnlyList<AuditEvent> events)
    {
        var names = new Dictionary<(string, string), string>();
        IEnumerable<Guid> Ids(string type) => events.Where(e => e.EntityType == type).Select(e => Guid.TryParse(e.EntityId, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).Distinct();

        var variantIds = Ids(nameof(Variant)).ToList();
        foreach (var v in await db.Variants.AsNoTracking().Where(v => variantIds.Contains(v.Id)).Select(v => new { v.Id, v.Message!.Title, Account = v.ChannelAccount!.Name }).ToListAsync())
            names[(nameof(Variant), v.Id.ToString())] = $"“{v.Title}” on {v.Account}";
        var messageIds = Ids(nameof(Message)).ToList();
        foreach (var m in await db.Messages.AsNoTracking().Where(m => messageIds.Contains(m.Id)).Select(m => new { m.Id, m.Title }).ToListAsync())
            names[(nameof(Message), m.Id.ToString())] = $"“{m.Title}”";
        var accountIds = Ids(nameof(ChannelAccount)).ToList();
        foreach (var a in await db.ChannelAccounts.AsNoTracking().Where(a => accountIds.Contains(a.Id)).Select(a => new { a.Id, a.Name }).ToListAsync())
            names[(nameof(ChannelAccount), a.Id.ToString())] = a.Name;
        var campaignIds = Ids(nameof(Campaign)).ToList();
        foreach (var c in await db.Campaigns.AsNoTracking().Where(c => campaignIds.Contains(c.Id)).Select(c => new { c.Id, c.Name }).ToListAsync())
            names[(nameof(Campaign), c.Id.ToString())] = c.Name;
        var userIds = events.Where(e => e.EntityType == "User").Select(e => e.EntityId).Distinct().ToList();
        foreach (var u in await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName, u.Email }).ToListAsync())
            names[("User", u.Id)] = string.IsNullOrEmpty(u.DisplayName) ? u.Email ?? u.Id : u.DisplayName;
        foreach (var e in events.Where(e => e.EntityType == nameof(StyleGuideVersion)))
            names[(e.EntityType, e.EntityId)] = $"style guide version {e.EntityId}";
        foreach (var e in events.Where(e => e.EntityType == nameof(ChannelTemplateVersion) && e.EntityId.Contains('/')))
            names[(e.EntityType, e.EntityId)] = $"{ChannelNames.Of(e.EntityId.Split('/')[0])} template version {e.EntityId.Split('/')[1]}";
        return names;
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
