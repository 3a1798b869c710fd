namespace Publisher.Core.Domain;

/// <summary>Something a user should know about (work awaiting them, a rejection, a failure), shown in their inbox.</summary>
public class Notification
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string UserId { get; set; }
    public required string Text { get; set; }

    /// <summary>Where to go to act on it, e.g. the variant's page.</summary>
    public string? Link { get; set; }
    /// <summary>
    /// Notifications about the same thing are one: "review:{message id}" gathers every variant of a message that awaits
    /// the user's review in one unread notification. Null for a notification that stands alone.
    /// </summary>
    public string? GroupKey { get; set; }

    /// <summary>The variants a grouped notification is about that still wait for the user; empty when none are left.</summary>
    public List<Guid> VariantIds { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ReadAt { get; set; }

    /// <summary>When it was also sent by email; null while it waits (or when email is off).</summary>
    public DateTimeOffset? EmailedAt { get; set; }
}
