namespace Publisher.Core.Domain;

/// <summary>
/// One saved version of a channel kind's Scriban template. Versions are never changed or deleted: the
/// current template is the highest number, and going back to an old one saves it again as a new version.
/// </summary>
public class ChannelTemplateVersion
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>The channel kind, as named by <c>Publisher.Templates.ChannelKind</c>.</summary>
    public required string Kind { get; set; }
    public int Number { get; set; }
    public required string Source { get; set; }
    public string? CreatedById { get; set; }
    public required string CreatedByName { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Why it changed, as the brand manager wrote it (optional).</summary>
    public string? Note { get; set; }
}
