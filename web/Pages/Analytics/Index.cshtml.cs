using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Analytics.Attribution;
using Publisher.Analytics.Events;
using Publisher.Analytics.Time;
using Publisher.Core.Analytics;
using Publisher.Core.Data;
using Publisher.Web.Pages.Calendar;
using Publisher.Web.Security;
using Publisher.Web.Time;

namespace Publisher.Web.Pages.Analytics;

/// <summary>
/// The analytics dashboard: per channel the sessions, contacts, qualified leads, sales and revenue under first and
/// last touch side by side (the other models on request), a daily chart, the top variants and campaigns, and the
/// networks' engagement. Everything is in the address; days are the user's local days.
/// </summary>
[Authorize(Policy = Policies.SignedIn)]
public class IndexModel(PublisherDbContext db, AnalyticsReport report, AnalyticsRollups rollups, UserTimeZone userZone, TimeProvider clock) : PageModel
{
    public const int MaxDays = 400;

    public sealed record Option(Guid Id, string Name);

    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true)] public Guid? Account { get; set; }
    [BindProperty(SupportsGet = true)] public Guid? Campaign { get; set; }
    /// <summary>"all" shows linear and position-based beside first and last touch.</summary>
    [BindProperty(SupportsGet = true)] public string? Models { get; set; }
    /// <summary>What the chart shows: clicks, sessions, contacts, qualified or sales.</summary>
    [BindProperty(SupportsGet = true)] public string? Metric { get; set; }
    /// <summary>Which model the chart credits with: first or last.</summary>
    [BindProperty(SupportsGet = true)] public string? Touch { get; set; }
    /// <summary>How the top variants are ordered: clicks, sessions or sales.</summary>
    [BindProperty(SupportsGet = true)] public string? Sort { get; set; }

    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;
    public DateOnly Today { get; private set; }
    public string? Error { get; private set; }
    public IReadOnlyList<AttributionModel> ShownModels { get; private set; } = [AttributionModel.FirstTouch, AttributionModel.LastTouch];
    public bool AllModels => ShownModels.Count == 4;
    public IReadOnlyList<ChannelRow> Channels { get; private set; } = [];
    public CreditedFigures Totals { get; private set; } = new();
    public IReadOnlyList<DateOnly> Days { get; private set; } = [];
    public IReadOnlyList<(ChannelRow Channel, string Color, double[] Values)> Series { get; private set; } = [];
    public IReadOnlyList<RankedRow> TopVariants { get; private set; } = [];
    public IReadOnlyList<RankedRow> TopCampaigns { get; private set; } = [];
    public IReadOnlyList<EngagementRow> Engagement { get; private set; } = [];
    public IReadOnlyList<Option> Accounts { get; private set; } = [];
    public IReadOnlyList<Option> Campaigns { get; private set; } = [];
    public bool Behind { get; private set; }
    public ConversionKind? MetricKind { get; private set; }
    public AttributionModel ChartModel { get; private set; } = AttributionModel.LastTouch;

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await PrepareAsync())
            return Page();
        var filter = Filter();
        // Count what has arrived (a moment's work; the worker does the rest each minute).
        Behind = !(await rollups.CatchUpAsync(TimeSpan.FromSeconds(1.5), HttpContext.RequestAborted)).CaughtUp;

        Channels = await report.ChannelsAsync(filter, HttpContext.RequestAborted);
        Totals = CreditedFigures.Sum(Channels.Select(c => c.Figures));
        Days = LocalDays.Each(filter.From, filter.To).ToList();
        var daily = await report.DailyAsync(filter, MetricKind, ChartModel, HttpContext.RequestAborted);
        var index = Days.Select((d, i) => (d, i)).ToDictionary(p => p.d, p => p.i);
        var palette = 0;
        Series = Channels
            .Select(c => (Channel: c, Values: Values(daily.Where(v => v.ChannelKey == c.Key), index)))
            .Where(s => s.Values.Any(v => v > 0))
            .OrderByDescending(s => s.Values.Sum()).Take(8)
            .Select(s => (s.Channel, CalendarFilter.SafeColor(s.Channel.Color) ?? SvgLineChart.Palette[palette++ % SvgLineChart.Palette.Count], s.Values))
            .ToList();
        var variants = await report.VariantsAsync(filter, HttpContext.RequestAborted);
        TopVariants = Ranked(variants).Take(10).ToList();
        TopCampaigns = Ranked(await report.CampaignsAsync(variants, HttpContext.RequestAborted)).Take(10).ToList();
        Engagement = await report.EngagementAsync(filter, HttpContext.RequestAborted);
        return Page();
    }

    /// <summary>One table as CSV, with the filters of the page: channels, daily, variants, campaigns or engagement.</summary>
    public async Task<IActionResult> OnGetCsvAsync(string? table)
    {
        if (!await PrepareAsync())
            return BadRequest(Error!);
        var filter = Filter();
        await rollups.CatchUpAsync(TimeSpan.FromSeconds(1.5), HttpContext.RequestAborted);
        var models = AttributionModels.All;
        var name = $"analytics-{table}-{filter.From:yyyy-MM-dd}-{filter.To:yyyy-MM-dd}.csv";
        switch (table)
        {
            case "channels":
                var channels = await report.ChannelsAsync(filter, HttpContext.RequestAborted);
                return FigureText.Csv(name, new[] { "channel", "channel_key", "kind" }.Concat(FigureText.CsvFigureHeader(models)),
                    channels.Select(c => new[] { c.Name, c.Key, c.Kind ?? "" }.Concat(FigureText.CsvFigures(c.Figures, models))));
            case "daily":
                var daily = await report.DailyAsync(filter, MetricKind, ChartModel, HttpContext.RequestAborted);
                var names = (await report.ChannelsAsync(filter, HttpContext.RequestAborted)).ToDictionary(c => c.Key, c => c.Name);
                return FigureText.Csv(name, ["day", "channel", "channel_key", "metric", "model", "value"],
                    daily.OrderBy(d => d.Day).ThenBy(d => d.ChannelKey).Select(d => new[]
                    {
                        d.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), names.GetValueOrDefault(d.ChannelKey, d.ChannelKey), d.ChannelKey, MetricName,
                        MetricKind is null ? "" : FigureText.ShortName(ChartModel), FigureText.Number(d.Value),
                    }));
            case "variants":
                var variants = Ranked(await report.VariantsAsync(filter, HttpContext.RequestAborted));
                return FigureText.Csv(name, new[] { "variant_id", "title", "account", "published_utc" }.Concat(FigureText.CsvFigureHeader(models)),
                    variants.Select(v => new[] { v.Id.ToString()!, v.Name, v.Detail ?? "", v.PublishedAt?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "" }
                        .Concat(FigureText.CsvFigures(v.Figures, models))));
            case "campaigns":
                var campaigns = Ranked(await report.CampaignsAsync(filter, HttpContext.RequestAborted));
                return FigureText.Csv(name, new[] { "campaign_id", "campaign", "variants" }.Concat(FigureText.CsvFigureHeader(models)),
                    campaigns.Select(c => new[] { c.Id?.ToString() ?? "", c.Name, c.Detail ?? "" }.Concat(FigureText.CsvFigures(c.Figures, models))));
            case "engagement":
                var engagement = await report.EngagementAsync(filter, HttpContext.RequestAborted);
                return FigureText.Csv(name, ["account", "kind", "posts", "posts_measured", "likes", "reposts", "replies", "quotes", "impressions", "network_clicks", "deliveries", "unsubscribes", "blog_views"],
                    engagement.Select(e => new object[] { e.Account, e.Kind, e.Posts, e.Measured, e.Likes, e.Reposts, e.Replies, e.Quotes, e.Impressions, e.NetworkClicks, e.Deliveries, e.Unsubscribes, e.BlogViews }
                        .Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)!)));
            default:
                return BadRequest("Say which table to export: table=channels, daily, variants, campaigns or engagement.");
        }
    }

    public string MetricName => MetricKind is { } kind ? FigureText.Plural(kind).ToLowerInvariant() : "clicks";

    /// <summary>This page's address with some parameters changed (null removes one).</summary>
    public string With(params (string Name, string? Value)[] changes)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["from"] = From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["to"] = To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["account"] = Account?.ToString(), ["campaign"] = Campaign?.ToString(), ["models"] = Models, ["metric"] = Metric, ["touch"] = Touch, ["sort"] = Sort,
        };
        foreach (var (name, value) in changes)
            values[name] = value;
        var query = string.Join("&amp;", values.Where(v => !string.IsNullOrEmpty(v.Value)).Select(v => $"{v.Key}={Uri.EscapeDataString(v.Value!)}"));
        return "/Analytics" + (query.Length == 0 ? "" : "?" + query);
    }

    private async Task<bool> PrepareAsync()
    {
        Zone = await userZone.GetAsync();
        Today = LocalDays.DayOf(clock.GetUtcNow(), Zone);
        To ??= Today;
        From ??= To.Value.AddDays(-29);
        Accounts = await db.ChannelAccounts.AsNoTracking().OrderBy(a => a.Name).Select(a => new Option(a.Id, a.Name)).ToListAsync();
        Campaigns = await db.Campaigns.AsNoTracking().OrderByDescending(c => c.StartsOn).Select(c => new Option(c.Id, c.Name)).ToListAsync();
        ShownModels = string.Equals(Models, "all", StringComparison.OrdinalIgnoreCase) ? AttributionModels.All : [AttributionModel.FirstTouch, AttributionModel.LastTouch];
        MetricKind = Metric?.ToLowerInvariant() switch
        {
            "clicks" => null,
            "contacts" => ConversionKind.Contact,
            "qualified" => ConversionKind.Qualified,
            "sales" => ConversionKind.Sale,
            _ => ConversionKind.Session,
        };
        ChartModel = string.Equals(Touch, "first", StringComparison.OrdinalIgnoreCase) ? AttributionModel.FirstTouch : AttributionModel.LastTouch;
        if (To < From)
            Error = "The end of the range is before its start: pick an end on or after the start.";
        else if (To.Value.DayNumber - From.Value.DayNumber + 1 > MaxDays)
            Error = $"The range covers {To.Value.DayNumber - From.Value.DayNumber + 1} days; the most is {MaxDays}: pick a shorter one.";
        return Error is null;
    }

    private ReportFilter Filter() => new(From!.Value, To!.Value, Zone, Account, Campaign);

    private IEnumerable<RankedRow> Ranked(IEnumerable<RankedRow> rows) => (Sort?.ToLowerInvariant()) switch
    {
        "sessions" => rows.OrderByDescending(r => r.Figures[AttributionModel.LastTouch].Sessions).ThenByDescending(r => r.Figures.Clicks),
        "sales" => rows.OrderByDescending(r => r.Figures[AttributionModel.LastTouch].Sales).ThenByDescending(r => r.Figures[AttributionModel.FirstTouch].Sales),
        _ => rows.OrderByDescending(r => r.Figures.Clicks).ThenByDescending(r => r.Figures[AttributionModel.LastTouch].Sessions),
    };

    private double[] Values(IEnumerable<DailyValue> values, Dictionary<DateOnly, int> index)
    {
        var result = new double[Days.Count];
        foreach (var v in values)
        {
            if (index.TryGetValue(v.Day, out var i))
                result[i] += v.Value;
        }
        return result;
    }
}
