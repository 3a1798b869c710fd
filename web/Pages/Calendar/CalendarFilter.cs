using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Publisher.Core.Domain;

namespace Publisher.Web.Pages.Calendar;

/// <summary>
/// What the calendar shows, as it is written in the address: the view, the day it is anchored on, the colouring
/// and the filters. Everything round-trips through the query string so a view can be shared as a link.
/// </summary>
public sealed partial class CalendarFilter
{
    public const string Month = "month", Week = "week", List = "list";
    public const string ByChannel = "channel", ByCampaign = "campaign";

    [FromQuery(Name = "view")] public string? View { get; set; }
    [FromQuery(Name = "date")] public DateOnly? Date { get; set; }

    /// <summary>The address the week view had before the month view existed (<c>?week=2026-11-23</c>).</summary>
    [FromQuery(Name = "week")] public DateOnly? LegacyWeek { get; set; }
    [FromQuery(Name = "color")] public string? Color { get; set; }
    [FromQuery(Name = "account")] public List<Guid> Accounts { get; set; } = [];
    [FromQuery(Name = "campaign")] public List<Guid> Campaigns { get; set; } = [];
    [FromQuery(Name = "state")] public List<VariantState> States { get; set; } = [];
    [FromQuery(Name = "author")] public List<string> Authors { get; set; } = [];

    public string ViewName => View is Month or List ? View : Week;
    public string ColorMode => Color == ByCampaign ? ByCampaign : ByChannel;
    public bool IsFiltered => Accounts.Count + Campaigns.Count + States.Count + Authors.Count > 0;

    /// <summary>Only the variants the filters let through.</summary>
    public IQueryable<Variant> Apply(IQueryable<Variant> variants)
    {
        if (Accounts.Count > 0)
            variants = variants.Where(v => Accounts.Contains(v.ChannelAccountId));
        if (Campaigns.Count > 0)
            variants = variants.Where(v => v.Message!.CampaignId != null && Campaigns.Contains(v.Message.CampaignId.Value));
        if (States.Count > 0)
            variants = variants.Where(v => States.Contains(v.State));
        if (Authors.Count > 0)
            variants = variants.Where(v => Authors.Contains(v.Message!.AuthorId));
        return variants;
    }

    /// <summary>The query string for this filter with another view, day or colouring.</summary>
    public string Query(string? view = null, DateOnly? date = null, string? color = null, bool withFilters = true)
    {
        var pairs = new List<KeyValuePair<string, string?>> { new("view", view ?? ViewName) };
        if ((date ?? Date ?? LegacyWeek) is { } d)
            pairs.Add(new("date", d.ToString("yyyy-MM-dd")));
        var colorMode = color ?? ColorMode;
        if (colorMode != ByChannel)
            pairs.Add(new("color", colorMode));
        if (withFilters)
        {
            pairs.AddRange(Accounts.Select(a => new KeyValuePair<string, string?>("account", a.ToString())));
            pairs.AddRange(Campaigns.Select(c => new KeyValuePair<string, string?>("campaign", c.ToString())));
            pairs.AddRange(States.Select(s => new KeyValuePair<string, string?>("state", s.ToString())));
            pairs.AddRange(Authors.Select(a => new KeyValuePair<string, string?>("author", a)));
        }
        return QueryString.Create(pairs).ToString();
    }

    /// <summary>A colour that is safe to hand to the page's script: #rgb or #rrggbb, else null.</summary>
    public static string? SafeColor(string? color) => color is not null && HexColor().IsMatch(color) ? color : null;

    [GeneratedRegex("^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
    private static partial Regex HexColor();
}
