using Microsoft.AspNetCore.Identity;

namespace Publisher.Core.Domain;

public class AppUser : IdentityUser
{
    public string DisplayName { get; set; } = "";

    /// <summary>The IANA zone the calendar shows times in; null means the brand's.</summary>
    public string? TimeZone { get; set; }

    /// <summary>Set while the user has been invited but has not chosen a password yet.</summary>
    public DateTimeOffset? InvitedAt { get; set; }

    /// <summary>SHA-256 (hex) of the secret in the user's calendar feed address; null when no feed is issued.</summary>
    public string? CalendarFeedTokenHash { get; set; }

    /// <summary>
    /// Set when an admin deactivated the account: sign-in is refused and existing sessions end, while everything the
    /// person did stays in the history under their name. Null for an active account.
    /// </summary>
    public DateTimeOffset? DeactivatedAt { get; set; }
}
