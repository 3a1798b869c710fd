namespace Publisher.Core.Domain;

/// <summary>What a marketer writes once; each channel account gets a <see cref="Variant"/> of it.</summary>
public class Message
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Title { get; set; }
    public string BodyMarkdown { get; set; } = "";
    public string? Summary { get; set; }
    public string? Link { get; set; }
    public string? CallToAction { get; set; }
    public List<string> Hashtags { get; set; } = [];
    public List<string> KeyFacts { get; set; } = [];
    public bool IsSponsored { get; set; }
    public Guid? CampaignId { get; set; }
    public Campaign? Campaign { get; set; }
    public required string AuthorId { get; set; }
    public AppUser? Author { get; set; }

    /// <summary>The IANA time zone the author meant when choosing times (e.g. Europe/Paris).</summary>
    public required string TimeZone { get; set; }

    /// <summary>When the message is planned to go out (UTC); each variant starts at this time and may be moved on its own.</summary>
    public DateTimeOffset? PlannedAt { get; set; }

    /// <summary>
    /// <see cref="Composition.MessageFingerprint"/> of the fields as last saved. A hand-edited variant whose
    /// <see cref="Variant.SourceMessageHash"/> differs was written against an older message; lists compare the two
    /// columns instead of hashing every message's body.
    /// </summary>
    public string? Fingerprint { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<Variant> Variants { get; set; } = [];

    /// <summary>Images and videos attached to the message, in order (see <see cref="MessageMedia.Position"/>).</summary>
    public List<MessageMedia> Media { get; set; } = [];
}
