namespace Publisher.Templates.Channels;

/// <summary>How a network measures the length of a post.</summary>
public enum CountingRule
{
    /// <summary>twitter-text v3 weighted length: most scripts weigh 2, Latin 1, each URL 23, each emoji 2, after NFC.</summary>
    XWeighted,
    /// <summary>Mastodon: grapheme clusters, with every http(s) URL counting 23 and <c>@user@domain</c> counting as <c>@user</c>.</summary>
    Mastodon,
    /// <summary>Grapheme clusters (user-perceived characters, <see cref="System.Globalization.StringInfo"/> text elements).</summary>
    Graphemes,
    /// <summary>Bluesky: grapheme clusters of the post as sent, its links in the short form Bluesky's app gives them (see <c>BlueskyFacets.Prepare</c>).</summary>
    Bluesky,
    /// <summary>
    /// Threads: user-perceived characters, except that an emoji counts as many as its UTF-8 bytes
    /// (https://developers.facebook.com/docs/threads/posts: "Emojis are counted as the number of UTF-8 bytes").
    /// </summary>
    Threads,
    /// <summary>UTF-16 code units, as JavaScript's <c>length</c> counts them.</summary>
    Utf16,
    /// <summary>No limit is enforced.</summary>
    None,
}

/// <summary>What a channel kind allows and how long its posts may be.</summary>
/// <param name="Kind">The channel kind.</param>
/// <param name="DisplayName">The network's name as users know it, used in messages ("The X variant is …").</param>
/// <param name="Limit">The maximum length under <paramref name="Counting"/>, or null when there is none.</param>
/// <param name="Counting">How length is measured.</param>
/// <param name="SupportsLinks">Whether links are clickable in the post.</param>
/// <param name="SupportsHashtags">Whether hashtags mean something on the network.</param>
/// <param name="SupportsThreads">Whether an over-long post may become a numbered thread (when the account allows it).</param>
/// <param name="SupportsHtml">Whether the variant has an HTML body.</param>
/// <param name="MaxHashtags">How many hashtags the default template shows at most (fewer only when the post would not fit).</param>
/// <param name="DefaultTemplate">The name of the default template file in <c>templates/Defaults</c>.</param>
public sealed record ChannelProfile(
    ChannelKind Kind,
    string DisplayName,
    int? Limit,
    CountingRule Counting,
    bool SupportsLinks,
    bool SupportsHashtags,
    bool SupportsThreads,
    bool SupportsHtml,
    int MaxHashtags,
    string DefaultTemplate);

/// <summary>The built-in profile of every <see cref="ChannelKind"/>.</summary>
public static class ChannelProfiles
{
    /// <summary>The profile of each channel kind, in <see cref="ChannelKind"/> order.</summary>
    public static IReadOnlyList<ChannelProfile> All { get; } =
    [
        new(ChannelKind.X, "X", 280, CountingRule.XWeighted, true, true, true, false, 3, "X.sbn"),
        new(ChannelKind.Mastodon, "Mastodon", 500, CountingRule.Mastodon, true, true, true, false, 3, "Mastodon.sbn"),
        new(ChannelKind.Bluesky, "Bluesky", 300, CountingRule.Bluesky, true, true, true, false, 3, "Bluesky.sbn"),
        new(ChannelKind.LinkedIn, "LinkedIn", 3000, CountingRule.Utf16, true, true, false, false, 5, "LinkedIn.sbn"),
        new(ChannelKind.FacebookPage, "Facebook Page", 63206, CountingRule.Utf16, true, true, false, false, 3, "FacebookPage.sbn"),
        new(ChannelKind.Email, "Email", null, CountingRule.None, true, false, false, true, 0, "Email.sbn"),
        new(ChannelKind.Blog, "Blog", null, CountingRule.None, true, false, false, true, 0, "Blog.sbn"),
        new(ChannelKind.Webhook, "Webhook", null, CountingRule.None, true, true, false, false, 5, "Webhook.sbn"),
        // Threads makes the first hashtag of a post its topic and shows no others as tags: one is all that means something.
        new(ChannelKind.Threads, "Threads", 500, CountingRule.Threads, true, true, true, false, 1, "Threads.sbn"),
        // Instagram does not link addresses in captions (SupportsLinks false: the link is written out for people to type).
        new(ChannelKind.Instagram, "Instagram", InstagramRules.CaptionLimit, CountingRule.Utf16, false, true, false, false, 10, "Instagram.sbn"),
    ];

    /// <summary>The longest email subject most inboxes show in full; longer subjects get a warning.</summary>
    public const int EmailSubjectWarningLength = 60;

    /// <summary>Gets the profile of <paramref name="kind"/>.</summary>
    public static ChannelProfile Get(ChannelKind kind) => All[(int)kind];
}

/// <summary>
/// What Instagram's content publishing refuses in a caption
/// (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media: "caption",
/// and the content publishing limitations): the renderer reports these as errors before anyone approves.
/// </summary>
public static class InstagramRules
{
    /// <summary>The longest caption, in characters.</summary>
    public const int CaptionLimit = 2200;

    /// <summary>The most hashtags a caption may have.</summary>
    public const int MaxHashtags = 30;

    /// <summary>The most @mentions a caption may have.</summary>
    public const int MaxMentions = 20;
}
