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

    /// <summary>Email preheader: the line inboxes show after the subject.</summary>
    public string? Preheader { get; set; }
    public List<string> ThreadParts { get; set; } = [];

    /// <summary>The message's link as it goes out on this channel: its tracked short link, or the link tagged with UTM parameters when the account does not track links.</summary>
    public string? Link { get; set; }

    /// <summary>
    /// The tracked links this variant carries (JSON list of code, short URL and destination), in order; covered by
    /// the content hash, so an approver approves where each short link leads. A trigger registers them for the redirect.
    /// </summary>
    public string? LinksJson { get; set; }

    /// <summary>Channel-specific extras the worker sends as they are: Bluesky facets per part (JSON), the webhook payload, the feed entry.</summary>
    public string? FacetsJson { get; set; }
    public string? JsonPayload { get; set; }
    public string? FeedEntry { get; set; }

    /// <summary>Length by the network's rule and its limit, for lists and the calendar.</summary>
    public int CountUsed { get; set; }
    public int? CountLimit { get; set; }

    /// <summary>What rendering found (JSON list of severity, code, message, line, column); errors block review.</summary>
    public string? RenderDiagnosticsJson { get; set; }
    public bool HasRenderErrors { get; set; }

    /// <summary>Text written by hand for this channel; when set it is what goes out instead of <see cref="RenderedText"/>.</summary>
    public string? ManualOverride { get; set; }

    /// <summary>Hash of the message fields the variant was rendered (or hand-edited) from, to tell when the message changed since.</summary>
    public string? SourceMessageHash { get; set; }

    /// <summary>SHA-256 of exactly what would be published; approvals are bound to it.</summary>
    public string ContentHash { get; set; } = "";

    /// <summary>True when a person edited this variant by hand (<see cref="ManualOverride"/> is what goes out).</summary>
    public bool IsEdited => ManualOverride is not null;

    /// <summary>The style guide check of what goes out: findings (JSON), score, and the guide version it was made with.</summary>
    public string? StyleFindingsJson { get; set; }
    public int? StyleScore { get; set; }
    public string? StyleGuideVersionHash { get; set; }
    public bool HasStyleErrors { get; set; }

    /// <summary>Set when a style guide change found errors in this scheduled variant: the worker will not publish it.</summary>
    public bool HeldByStyleGuide { get; set; }

    public VariantState State { get; set; } = VariantState.Draft;

    /// <summary>When to publish, in UTC; the author's zone is on the message.</summary>
    public DateTimeOffset? ScheduledAt { get; set; }

    /// <summary>
    /// Changes every time the variant is scheduled, rescheduled or cancelled. A publish job carries the token it
    /// was created with; a job whose token no longer matches is stale and does nothing.
    /// </summary>
    public Guid? ScheduleToken { get; set; }

    /// <summary>When the worker tries again after a transient failure; null means at <see cref="ScheduledAt"/>.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? PublishedAt { get; set; }

    /// <summary>The network's id of the post (for a thread, of its first part) and where it can be seen.</summary>
    public string? ExternalId { get; set; }
    public string? ExternalUrl { get; set; }

    /// <summary>The network's id of every part posted so far, in order: a retried thread resumes after the last one.</summary>
    public List<string> ExternalPartIds { get; set; } = [];
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public string? JobId { get; set; }
    public string? LastEditedById { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>PostgreSQL's xmin: the optimistic concurrency token that stops silent overwrites.</summary>
    public uint Version { get; set; }

    /// <summary>
    /// The attachments (MessageMedia ids) chosen by hand for this channel, in order; null: every attachment the channel
    /// takes. A hand-made choice stays as it is when the message's attachments change.
    /// </summary>
    public List<Guid>? MediaChoice { get; set; }

    /// <summary>The author's edit of the link card (or its removal), over <see cref="LinkCardSnapshot"/>; null: the snapshot goes out as read.</summary>
    public LinkCardEdit? LinkCard { get; set; }

    /// <summary>
    /// The card read from the page when the variant was rendered, its thumbnail in the blob store: what goes out. Null
    /// for a variant rendered before snapshots existed (its card is read when it goes out, until it is rendered again).
    /// </summary>
    public LinkCardSnapshot? LinkCardSnapshot { get; set; }

    /// <summary>The image the link card falls back to (the message's first attached image, made for this channel); null when there is none.</summary>
    public LinkCardImage? LinkCardImage { get; set; }

    /// <summary>The media that go out with the variant, as made for its channel (loaded with the variant).</summary>
    public List<VariantMedia> Media { get; set; } = [];

    public List<Approval> Approvals { get; set; } = [];
    public List<Comment> Comments { get; set; } = [];
    public List<WarningAcceptance> WarningAcceptances { get; set; } = [];
    public List<PublishAttempt> PublishAttempts { get; set; } = [];

    /// <summary>What goes out: the hand-written text when there is one, otherwise the rendered text.</summary>
    public string EffectiveText => ManualOverride ?? RenderedText;
}
