using System.Text.RegularExpressions;
using Publisher.Core.Publishing;

namespace Publisher.Web.Pages.Campaigns;

/// <summary>What the campaign form posts, and how it is checked.</summary>
public sealed partial class CampaignForm
{
    public string? Name { get; set; }
    public DateOnly? StartsOn { get; set; }
    public DateOnly? EndsOn { get; set; }
    public string? Color { get; set; } = "#6b7280";
    public string? UtmCampaign { get; set; }

    public IEnumerable<(string Field, string Error)> Validate(DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(Name))
            yield return (nameof(Name), "Give the campaign a name: the calendar shows it across its days.");
        else if (Name.Trim().Length > 200)
            yield return (nameof(Name), $"The name is {Name.Trim().Length} characters: keep it to 200 or fewer.");
        if (StartsOn is null)
            yield return (nameof(StartsOn), "Choose the day the campaign starts.");
        else if (PlanningWindow.Outside(StartsOn.Value, now) is { } startOutside)
            yield return (nameof(StartsOn), startOutside);
        if (EndsOn is null)
            yield return (nameof(EndsOn), "Choose the day the campaign ends (the same day for a one-day campaign).");
        else if (PlanningWindow.Outside(EndsOn.Value, now) is { } endOutside)
            yield return (nameof(EndsOn), endOutside);
        else if (StartsOn is { } start && EndsOn < start)
            yield return (nameof(EndsOn), $"The campaign ends ({EndsOn:yyyy-MM-dd}) before it starts ({start:yyyy-MM-dd}): swap the dates.");
        if (string.IsNullOrWhiteSpace(Color) || !HexColor().IsMatch(Color))
            yield return (nameof(Color), "Pick a colour (like #c2410c).");
        if (string.IsNullOrWhiteSpace(UtmCampaign))
            yield return (nameof(UtmCampaign), "Write the utm_campaign value links in this campaign get, like autumn-blend.");
        else if (!UtmValue().IsMatch(UtmCampaign.Trim()))
            yield return (nameof(UtmCampaign), "The UTM campaign is one word of up to 100 letters, digits, - _ or . (no spaces), like autumn-blend.");
    }

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex HexColor();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex UtmValue();
}
