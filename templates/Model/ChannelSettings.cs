using Publisher.Templates.Channels;

namespace Publisher.Templates.Model;

/// <summary>
/// Which UTM parameters the link gets on one channel. Null parts take the channel's default
/// (see <see cref="UtmTagger.DefaultsFor"/>); an empty string leaves that parameter out.
/// </summary>
public sealed record UtmSettings
{
    /// <summary>When false the link is used exactly as written.</summary>
    public bool Enabled { get; init; } = true;
    /// <summary><c>utm_source</c>, for example <c>linkedin</c>.</summary>
    public string? Source { get; init; }
    /// <summary><c>utm_medium</c>, for example <c>social</c> or <c>email</c>.</summary>
    public string? Medium { get; init; }
    /// <summary><c>utm_campaign</c>; defaults to the campaign's slug.</summary>
    public string? Campaign { get; init; }
    /// <summary><c>utm_content</c>; left out unless set.</summary>
    public string? Content { get; init; }

    /// <summary>UTM tagging switched off.</summary>
    public static UtmSettings Off { get; } = new() { Enabled = false };
}

/// <summary>How one account of a channel wants its variant rendered.</summary>
public sealed record ChannelSettings
{
    /// <summary>The channel kind.</summary>
    public required ChannelKind Kind { get; init; }
    /// <summary>When true and the channel supports threads, an over-long variant becomes a numbered thread instead of an error.</summary>
    public bool AllowThreads { get; init; }
    /// <summary>UTM tagging rules for this channel.</summary>
    public UtmSettings Utm { get; init; } = new();
    /// <summary>The brand-edited template source, or null for the channel's default template.</summary>
    public string? TemplateSource { get; init; }

    /// <summary>
    /// When set, every http(s) link the variant carries (the message's link, links in the body, links a template
    /// writes) goes out as the short link this returns, and is counted as the network counts that short link.
    /// When null, links go out as written (with UTM tags on the message's link).
    /// </summary>
    public LinkShortener? ShortenLink { get; init; }

    /// <summary>The media that go out with the variant, in order (templates see them as <c>media</c>).</summary>
    public IReadOnlyList<MediaInput> Media { get; init; } = [];

    /// <summary>Settings with defaults for <paramref name="kind"/>.</summary>
    public static ChannelSettings For(ChannelKind kind) => new() { Kind = kind };
}
