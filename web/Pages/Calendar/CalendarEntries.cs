using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Web.Pages.Shared;

namespace Publisher.Web.Pages.Calendar;

/// <summary>One variant as the calendar, its CSV export and the iCalendar feed show it.</summary>
/// <param name="HeldReason">Set when the style guide holds the post back: why, with the rules.</param>
/// <param name="EditOutdated">A hand edit written against an older version of the message.</param>
public sealed record CalendarEntry(
    Guid VariantId, Guid MessageId, string Title, Guid AccountId, string Account, string Kind, string? AccountColor,
    Guid? CampaignId, string? Campaign, string? CampaignColor, string AuthorId, VariantState State, DateTimeOffset At, string Preview,
    string? HeldReason = null, bool EditOutdated = false, string? ExternalId = null, string? ExternalUrl = null, IReadOnlyList<string>? ExternalPartIds = null)
{
    public string Badge => CalendarEntries.Badge(State);

    public bool Held => HeldReason is not null;

    /// <summary>The state as one phrase, held included: "scheduled, held by the style guide".</summary>
    public string StateText => Held ? $"{Badge}, held by the style guide" : Badge;

    /// <summary>Whether a move would be accepted as far as the post itself goes (the time is checked when it is asked).</summary>
    public bool CanMove => State is not (VariantState.Published or VariantState.Publishing or VariantState.Canceled) && !Held;
}

/// <summary>The calendar's one read: every variant in a range, with only the columns a calendar needs.</summary>
public static class CalendarEntries
{
    /// <summary>How many characters of a variant's text the calendar reads: enough for its first words.</summary>
    public const int PreviewCharacters = 140;

    public static async Task<IReadOnlyList<CalendarEntry>> LoadAsync(PublisherDbContext db, DateTimeOffset from, DateTimeOffset to, CalendarFilter? filter, CancellationToken cancellationToken = default)
    {
        var variants = db.Variants.AsNoTracking().Where(v => v.ScheduledAt >= from && v.ScheduledAt < to);
        if (filter is not null)
            variants = filter.Apply(variants);
        var rows = await variants
            .OrderBy(v => v.ScheduledAt).ThenBy(v => v.MessageId).ThenBy(v => v.ChannelAccount!.Name)
            .Select(v => new
            {
                v.Id, v.MessageId, v.Message!.Title, v.ChannelAccountId, Account = v.ChannelAccount!.Name, v.ChannelAccount.Kind, AccountColor = v.ChannelAccount.Color,
                v.Message.CampaignId, Campaign = v.Message.Campaign!.Name, CampaignColor = v.Message.Campaign.Color, v.Message.AuthorId,
                v.State, v.ScheduledAt,
                // Only the start of the text leaves the database: an email's body can be many kilobytes.
                Text = (v.ManualOverride ?? v.RenderedText).Substring(0, PreviewCharacters),
                // The findings only of held posts, which are few: they say why it is held.
                v.HeldByStyleGuide,
                HeldFindings = v.HeldByStyleGuide ? v.StyleFindingsJson : null,
                EditOutdated = v.ManualOverride != null && v.Message.Fingerprint != null && v.SourceMessageHash != v.Message.Fingerprint,
                v.ExternalId, v.ExternalUrl, v.ExternalPartIds,
            })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new CalendarEntry(r.Id, r.MessageId, r.Title, r.ChannelAccountId, r.Account, r.Kind, CalendarFilter.SafeColor(r.AccountColor),
            r.CampaignId, r.Campaign, CalendarFilter.SafeColor(r.CampaignColor), r.AuthorId, r.State, r.ScheduledAt!.Value, FirstWords(r.Text, 12),
            r.HeldByStyleGuide ? HeldView.Reason(r.HeldFindings) : null, r.EditOutdated, r.ExternalId, r.ExternalUrl, r.ExternalPartIds)).ToList();
    }

    public static string Badge(VariantState state) => state switch
    {
        VariantState.InReview => "in review",
        VariantState.NeedsAttention => "needs attention",
        VariantState.Canceled => "cancelled",
        _ => state.ToString().ToLowerInvariant(),
    };

    public static string FirstWords(string? text, int count)
    {
        var words = (text ?? "").Split((char[]?)null, count + 1, StringSplitOptions.RemoveEmptyEntries);
        return words.Length <= count ? string.Join(' ', words) : string.Join(' ', words.Take(count)) + " …";
    }
}
