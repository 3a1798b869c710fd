namespace Publisher.Core.Domain;

/// <summary>One message rendered for one channel account: what an approver reviews and the worker publishes.</summary>
public class Variant
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid MessageId { get; set; }
    public Message? Message { get; set; }
    public Guid ChannelAccountId { get; set; }
    public ChannelAccount? ChannelAccount { get; set; }

    /// <summary>The text the channel template produced from the message.</summary>
    public string RenderedText { get; set; } = "";
    public string? RenderedHtml { get; set; }
    public string? Subject { get; set; }
    public List<string> ThreadParts { get; set; } = [];

    /// <summary>Text written by hand for this channel; when set it is what goes out instead of <see cref="RenderedText"/>.</summary>
    public string? ManualOverride { get; set; }

    /// <summary>Hash of the message fields the variant was rendered (or hand-edited) from, to tell when the message changed since.</summary>
    public string? SourceMessageHash { get; set; }

    /// <summary>SHA-256 of exactly what would be published; approvals are bound to it.</summary>
    public string ContentHash { get; set; } = "";

    public VariantState State { get; set; } = VariantState.Draft;

    /// <summary>When to publish, in UTC; the author's zone is on the message.</summary>
    public DateTimeOffset? ScheduledAt { get; set; }

    public string? ExternalId { get; set; }
    public string? ExternalUrl { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public string? JobId { get; set; }
    public string? LastEditedById { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>PostgreSQL's xmin: the optimistic concurrency token that stops silent overwrites.</summary>
    public uint Version { get; set; }

    public List<Approval> Approvals { get; set; } = [];
    public List<Comment> Comments { get; set; } = [];

    /// <summary>What goes out: the hand-written text when there is one, otherwise the rendered text.</summary>
    public string EffectiveText => ManualOverride ?? RenderedText;
}
