namespace Publisher.Templates.Channels;

/// <summary>The kinds of channel a message can be rendered for.</summary>
public enum ChannelKind
{
    /// <summary>X (formerly Twitter): 280 weighted characters as twitter-text counts them.</summary>
    X,
    /// <summary>Mastodon: 500 characters, every URL counts 23, remote mentions count their local part.</summary>
    Mastodon,
    /// <summary>Bluesky: 300 graphemes, links, mentions and tags as facets with UTF-8 byte offsets.</summary>
    Bluesky,
    /// <summary>LinkedIn: 3,000 characters.</summary>
    LinkedIn,
    /// <summary>A Facebook Page: 63,206 characters.</summary>
    FacebookPage,
    /// <summary>Email newsletter: subject, preheader, HTML body in the brand layout and a plain-text part.</summary>
    Email,
    /// <summary>The brand's own blog: an HTML article page and its Atom feed entry.</summary>
    Blog,
    /// <summary>A webhook: a JSON payload with a Slack-compatible <c>text</c>.</summary>
    Webhook,
    /// <summary>Threads (Meta): 500 characters, each emoji counting its UTF-8 bytes; replies make a thread.</summary>
    Threads,
    /// <summary>An Instagram business account: a caption of 2,200 characters under an image, a carousel or a reel (media are required).</summary>
    Instagram,
}
