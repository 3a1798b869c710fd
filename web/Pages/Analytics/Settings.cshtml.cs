using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Publisher.Core.Analytics;
using Publisher.Core.Data;
using Publisher.Core.Publishing;
using Publisher.Core.Workflow;
using Publisher.Web.Analytics;
using Publisher.Web.Security;
using Publisher.Web.Time;

namespace Publisher.Web.Pages.Analytics;

/// <summary>
/// The brand's analytics settings (Admins): the snippet for its sites, the sites allowed to report, consent, the
/// attribution lookback, and the ingest keys of POST /api/events (made here, shown once, revoked here).
/// </summary>
[Authorize(Policy = Policies.Admin)]
public class SettingsModel(PublisherDbContext db, SiteSettingsCache sites, IOptions<PublishingOptions> publishing, IOptions<AnalyticsOptions> analytics,
    VariantWorkflow workflow, UserTimeZone userZone, TimeProvider clock) : PageModel
{
    public sealed record KeyRow(Guid Id, string Name, string Prefix, DateTime Created, string CreatedBy, DateTime? LastUsed, DateTime? Revoked);

    public IReadOnlyList<KeyRow> Keys { get; private set; } = [];
    public string PublicUrl => publishing.Value.PublicUrl;

    /// <summary>Why the public address is one readers cannot open (so tracked links would lead nowhere for them), or null.</summary>
    public string? PublicUrlProblem => Publisher.Core.Networking.OutboundAddressPolicy.UnreachableFromInternet(PublicUrl);
    public int RetentionMonths => analytics.Value.RetentionMonths;
    public string ZoneId { get; private set; } = "UTC";

    [BindProperty] public int LookbackDays { get; set; }
    [BindProperty] public bool RequireConsent { get; set; }
    [BindProperty] public string? SiteOrigins { get; set; }
    [BindProperty] public string? KeyName { get; set; }

    [TempData] public string? Notice { get; set; }
    [TempData] public string? Error { get; set; }

    /// <summary>A key just made: in TempData, so it is shown on the next page only, once.</summary>
    [TempData] public string? NewKey { get; set; }

    public async Task OnGetAsync()
    {
        var settings = await db.AnalyticsSettings.AsNoTracking().SingleAsync(s => s.Id == AnalyticsSettings.SingletonId);
        LookbackDays = settings.LookbackDays;
        RequireConsent = settings.RequireConsent;
        SiteOrigins = string.Join('\n', settings.SiteOrigins);
        var zone = await userZone.GetAsync();
        ZoneId = zone.Id;
        Keys = (await db.IngestKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt).ToListAsync())
            .Select(k => new KeyRow(k.Id, k.Name, k.Prefix, zone.Local(k.CreatedAt), k.CreatedByName, k.LastUsedAt is { } u ? zone.Local(u) : null,
                k.RevokedAt is { } r ? zone.Local(r) : null))
            .ToList();
    }

    public async Task<IActionResult> OnPostSaveAsync()
    {
        var origins = new List<string>();
        var problems = new List<string>();
        foreach (var line in (SiteOrigins ?? "").Split(['\n', '\r', ',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (SiteSettingsCache.OriginOf(line) is { } origin && Uri.TryCreate(line, UriKind.Absolute, out var uri) && uri.AbsolutePath is "/" or "")
                origins.Add(origin);
            else
                problems.Add($"\"{line}\" is not a site address: write it like https://www.example.com (scheme and host, no path).");
        }
        if (LookbackDays is < 1 or > 365)
            problems.Add("The lookback window must be between 1 and 365 days.");
        if (problems.Count > 0)
        {
            Error = string.Join(" ", problems);
            return RedirectToPage();
        }
        var settings = await db.AnalyticsSettings.SingleAsync(s => s.Id == AnalyticsSettings.SingletonId);
        var lookbackChanged = settings.LookbackDays != LookbackDays;
        settings.LookbackDays = LookbackDays;
        settings.RequireConsent = RequireConsent;
        settings.SiteOrigins = origins.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        workflow.Record("AnalyticsSettings", "1", "changed", User.Actor(), $"lookback {LookbackDays} days, consent {(RequireConsent ? "required" : "not required")}, sites: {string.Join(", ", settings.SiteOrigins)}");
        await db.SaveChangesAsync();
        sites.Invalidate();
        Notice = "Saved." + (lookbackChanged ? " Events from now on are credited with the new lookback window; earlier figures keep the window they were counted with." : "");
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostCreateKeyAsync()
    {
        var name = KeyName?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200)
        {
            Error = "Name the key after the system that will use it (for example \"Shop\" or \"CRM\"), in 200 characters at most.";
            return RedirectToPage();
        }
        var (key, hash) = IngestApi.NewKey();
        db.IngestKeys.Add(new IngestKey { Name = name, Prefix = key[..10], KeyHash = hash, CreatedAt = clock.GetUtcNow(), CreatedByName = User.Actor().Name });
        workflow.Record("IngestKey", name, "created", User.Actor());
        await db.SaveChangesAsync();
        NewKey = key;
        Notice = $"The key \"{name}\" is made. Copy it now: it is shown this once and only its fingerprint is kept.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRevokeKeyAsync(Guid id)
    {
        var key = await db.IngestKeys.SingleOrDefaultAsync(k => k.Id == id);
        if (key is null)
            return NotFound();
        if (key.RevokedAt is null)
        {
            key.RevokedAt = clock.GetUtcNow();
            workflow.Record("IngestKey", key.Name, "revoked", User.Actor());
            await db.SaveChangesAsync();
            Notice = $"The key \"{key.Name}\" is revoked: requests with it are refused from now on.";
        }
        return RedirectToPage();
    }
}
