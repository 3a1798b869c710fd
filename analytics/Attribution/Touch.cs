using Publisher.Analytics.Events;

namespace Publisher.Analytics.Attribution;

/// <summary>
/// One touch on a person's way to a conversion: a click on a tracked link (channel: its account; with its variant
/// and campaign), or a visit tagged with UTM parameters from elsewhere (channel: other, by <c>utm_source</c>).
/// </summary>
/// <param name="Id">A stable id (the click id, the visit's id): touches at the same instant are taken in the order of their ids, so a result never depends on the order rows were read in.</param>
/// <param name="PersonId">Who touched (after joining click ids, visitor ids and e-mail hashes into one person).</param>
/// <param name="At">When.</param>
/// <param name="Channel">Where credit goes.</param>
/// <param name="VariantId">The variant whose link was clicked, for clicks.</param>
/// <param name="CampaignId">That variant's campaign, if any.</param>
public sealed record Touch(string Id, string PersonId, DateTimeOffset At, Channel Channel, Guid? VariantId = null, Guid? CampaignId = null);

/// <summary>A visit or conversion to credit.</summary>
/// <param name="Id">Its id.</param>
/// <param name="PersonId">Who, or null when nothing identifies them (then it is "direct / unknown").</param>
/// <param name="At">When.</param>
/// <param name="Kind">Session, contact, qualified or sale.</param>
/// <param name="Value">The sale's value (revenue is credited for sales only).</param>
/// <param name="Currency">The value's currency.</param>
public sealed record AttributableEvent(string Id, string? PersonId, DateTimeOffset At, ConversionKind Kind, decimal Value = 0m, string? Currency = null);

/// <summary>A share of one event's credit given to one touch's channel under one model.</summary>
/// <param name="Event">The event credited.</param>
/// <param name="Model">The model.</param>
/// <param name="Channel">The channel credited.</param>
/// <param name="VariantId">The variant credited, when the touch was a click.</param>
/// <param name="CampaignId">The campaign credited, when the touch's variant had one.</param>
/// <param name="Share">The share of the event: 1 for first and last touch; all shares of one event under one model add up to 1.</param>
/// <param name="TouchId">The touch credited, or null for "direct / unknown".</param>
public sealed record Credit(AttributableEvent Event, AttributionModel Model, Channel Channel, Guid? VariantId, Guid? CampaignId, double Share, string? TouchId)
{
    /// <summary>The revenue credited: the sale's value times the share (nothing for other kinds).</summary>
    public decimal Revenue => Event.Kind == ConversionKind.Sale ? decimal.Round(Event.Value * (decimal)Share, 6) : 0m;
}

/// <summary>Attribution settings of a brand.</summary>
/// <param name="Lookback">How long before a conversion a touch still counts (default 30 days).</param>
public sealed record AttributionSettings(TimeSpan Lookback)
{
    /// <summary>30 days.</summary>
    public static AttributionSettings Default { get; } = new(TimeSpan.FromDays(30));
}
