using Publisher.Core.Domain;
using Publisher.Templates.Channels;

namespace Publisher.Core.Publishing;

/// <summary>Where each network's API is unless the account says otherwise.</summary>
public static class ChannelDefaults
{
    public static Uri? BaseAddress(ChannelKind kind) => kind switch
    {
        ChannelKind.X => new Uri("https://api.x.com"),
        ChannelKind.Mastodon => new Uri("https://mastodon.social"),
        ChannelKind.Bluesky => new Uri("https://bsky.social"),
        ChannelKind.LinkedIn => new Uri("https://api.linkedin.com"),
        ChannelKind.FacebookPage => new Uri("https://graph.facebook.com"),
        ChannelKind.Threads => new Uri("https://graph.threads.net"),
        ChannelKind.Instagram => new Uri("https://graph.facebook.com"),
        // Email reads its SMTP server from the account's settings; the blog is this app.
        ChannelKind.Email or ChannelKind.Blog => new Uri("http://localhost"),
        _ => null, // a webhook has no default: its address is the account's
    };
}

/// <summary>One posted part of a published variant: the network's own identifiers and where it can be seen.</summary>
/// <param name="Number">1 for a single post or a thread's first part.</param>
/// <param name="Id">The network's identifier: X post id, Mastodon status id, Bluesky at:// URI, LinkedIn URN, email Message-Id, …</param>
/// <param name="Cid">Bluesky's content id of the record (the other half of a strong reference); null elsewhere.</param>
/// <param name="Url">The post's page on the network, when it has one.</param>
public sealed record PostedPart(int Number, string Id, string? Cid, string? Url);

/// <summary>
/// The addresses of posts on each network, built from the identifiers the clients store. The worker's clients use
/// them for the address they report; the pages, the CSV export and the API use them for every part of a thread.
/// </summary>
public static class PostAddresses
{
    public static string XPost(string? handle, string id) =>
        handle?.TrimStart('@') is { Length: > 0 } h ? $"https://x.com/{h}/status/{id}" : $"https://x.com/i/status/{id}";

    /// <summary>at://did:plc:abc/app.bsky.feed.post/rkey → https://bsky.app/profile/{handle or did}/post/rkey.</summary>
    public static string BlueskyPost(string? handle, string atUri)
    {
        var segments = atUri.StartsWith("at://", StringComparison.Ordinal) ? atUri["at://".Length..].Split('/') : atUri.Split('/');
        var profile = handle?.TrimStart('@') is { Length: > 0 } h ? h : segments[0];
        return $"https://bsky.app/profile/{profile}/post/{segments[^1]}";
    }

    public static string MastodonStatus(Uri server, string? handle, string id)
    {
        var root = server.ToString().TrimEnd('/');
        return handle?.TrimStart('@') is { Length: > 0 } h ? $"{root}/@{h.Split('@')[0]}/{id}" : $"{root}/statuses/{id}";
    }

    public static string LinkedInPost(string urn) => $"https://www.linkedin.com/feed/update/{urn}";

    public static string FacebookPost(string id) => $"https://www.facebook.com/{id}";

    /// <summary>
    /// A Threads post's page needs its shortcode, which only the API's <c>permalink</c> gives; without it the profile is
    /// the nearest address (null without a handle).
    /// </summary>
    public static string? ThreadsProfile(string? handle) =>
        handle?.TrimStart('@') is { Length: > 0 } h ? $"https://www.threads.net/@{h}" : null;

    /// <summary>Like Threads, an Instagram post's page needs its shortcode (the API's permalink); the profile otherwise.</summary>
    public static string? InstagramProfile(string? handle) =>
        handle?.TrimStart('@') is { Length: > 0 } h ? $"https://www.instagram.com/{h}/" : null;

    /// <summary>A Bluesky part is stored as "at-uri|cid" (what a reply needs to point at it); other networks store the id alone.</summary>
    public static (string Id, string? Cid) SplitStored(string stored)
    {
        var bar = stored.IndexOf('|');
        return bar > 0 ? (stored[..bar], stored[(bar + 1)..]) : (stored, null);
    }

    /// <summary>
    /// Every posted part of the variant, in order, with its link where the network has one. Parts come from what the
    /// worker recorded one by one; a variant with none recorded (the blog, older posts) has its single post id.
    /// A demo account's parts were never on a network: only the first links to where the demo shows it.
    /// </summary>
    public static IReadOnlyList<PostedPart> PartsOf(ChannelAccount account, IReadOnlyList<string> partIds, string? externalId, string? externalUrl)
    {
        var stored = partIds.Count > 0 ? partIds : externalId is { Length: > 0 } ? [externalId] : [];
        var kind = Enum.TryParse<ChannelKind>(account.Kind, out var k) ? k : (ChannelKind?)null;
        var server = Uri.TryCreate(account.BaseAddress, UriKind.Absolute, out var own) ? own : kind is { } known ? ChannelDefaults.BaseAddress(known) : null;
        return stored.Select((value, i) =>
        {
            var (id, cid) = SplitStored(value);
            var url = i == 0 && externalUrl is { Length: > 0 } ? externalUrl
                : account.IsDemo ? null
                : kind switch
                {
                    ChannelKind.X => XPost(account.Handle, id),
                    ChannelKind.Bluesky => BlueskyPost(account.Handle, id),
                    ChannelKind.Mastodon when server is not null => MastodonStatus(server, account.Handle, id),
                    ChannelKind.LinkedIn => LinkedInPost(id),
                    ChannelKind.FacebookPage => FacebookPost(id),
                    ChannelKind.Threads => ThreadsProfile(account.Handle),
                    ChannelKind.Instagram => InstagramProfile(account.Handle),
                    _ => null,
                };
            // Only a web address is ever a link: the first part's address came from a network's answer or a form.
            return new PostedPart(i + 1, id, cid, Publisher.Templates.Model.WebAddress.OrNull(url));
        }).ToList();
    }
}
