namespace Publisher.Core.Domain;

public class Campaign
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public DateOnly StartsOn { get; set; }
    public DateOnly EndsOn { get; set; }
    public string Color { get; set; } = "#6b7280";

    /// <summary>The utm_campaign value links in this campaign are tagged with.</summary>
    public required string UtmCampaign { get; set; }
}
