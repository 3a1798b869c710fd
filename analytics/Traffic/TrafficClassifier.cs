using System.Buffers;

namespace Publisher.Analytics.Traffic;

/// <summary>What kind of device a request came from, as far as its user agent tells.</summary>
public enum DeviceClass : short
{
    /// <summary>No user agent, or one that names no known kind of device.</summary>
    Unknown = 0,
    /// <summary>A desktop or laptop browser.</summary>
    Desktop = 1,
    /// <summary>A phone.</summary>
    Mobile = 2,
    /// <summary>A tablet.</summary>
    Tablet = 3,
    /// <summary>A link-preview fetcher, crawler or script.</summary>
    Bot = 4,
}

/// <summary>How one request to a tracked link is counted.</summary>
/// <param name="IsPreview">True for link-preview fetchers, crawlers, scripts, prefetches and <c>HEAD</c> requests: counted as previews, never as clicks.</param>
/// <param name="Device">The device class.</param>
public readonly record struct TrafficVerdict(bool IsPreview, DeviceClass Device);

/// <summary>
/// Tells people from the machines that fetch links: the networks' card fetchers (X, Facebook, LinkedIn, Slack,
/// Discord, Telegram, WhatsApp, Mastodon and other fediverse servers, Bluesky's card service), search crawlers,
/// command-line clients and HTTP libraries, and browser prefetches. It reads only the method, the user agent and
/// the prefetch headers; nothing is stored from them but the verdict.
/// </summary>
public static class TrafficClassifier
{
    // Matched anywhere in the user agent, ignoring case. Generic words last; each is rare in a browser's agent.
    private static readonly SearchValues<string> MachineMarkers = SearchValues.Create(
    [
        "twitterbot", "facebookexternalhit", "facebookcatalog", "facebot", "meta-externalagent", "linkedinbot", "slackbot",
        "slack-imgproxy", "discordbot", "telegrambot", "whatsapp", "skypeuripreview", "applebot", "googlebot",
        "google-inspectiontool", "googleother", "adsbot", "mediapartners-google", "feedfetcher", "bingbot", "bingpreview",
        "yandex", "baiduspider", "duckduckbot", "petalbot", "semrush", "ahrefs", "mj12bot", "dotbot", "embedly", "iframely",
        "pinterest", "redditbot", "tumblr", "vkshare", "snapchat", "mastodon/", "pleroma", "akkoma", "misskey", "friendica",
        "gotosocial", "cardyb", "bluesky", "headlesschrome", "phantomjs", "python-requests", "python-urllib", "aiohttp",
        "curl/", "wget/", "go-http-client", "java/", "okhttp", "libwww", "httpclient", "axios/", "node-fetch", "undici",
        "scrapy", "postman", "insomnia", "bot", "crawl", "spider", "slurp", "preview", "scanner", "validator",
        "monitor", "uptime", "lighthouse", "pagespeed", "archive.org", "ia_archiver",
    ], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> TabletMarkers = SearchValues.Create(["ipad", "tablet", "kindle", "silk/", "playbook"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> MobileMarkers = SearchValues.Create(["mobi", "iphone", "ipod", "android", "windows phone", "blackberry", "opera mini"], StringComparison.OrdinalIgnoreCase);

    /// <summary>Classifies a request.</summary>
    /// <param name="method">The HTTP method; <c>HEAD</c> (and anything but <c>GET</c>) is a preview.</param>
    /// <param name="userAgent">The <c>User-Agent</c> header, or null.</param>
    /// <param name="purpose">The <c>Sec-Purpose</c>, <c>Purpose</c> or <c>X-Purpose</c> header, or null: a prefetch or preview is not a click.</param>
    /// <param name="mobileHint">The <c>Sec-CH-UA-Mobile</c> client hint, or null.</param>
    public static TrafficVerdict Classify(string method, string? userAgent, string? purpose = null, string? mobileHint = null)
    {
        var device = DeviceOf(userAgent, mobileHint);
        var isPreview = device == DeviceClass.Bot
            || !string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase)
            || (purpose is { Length: > 0 } && (purpose.Contains("prefetch", StringComparison.OrdinalIgnoreCase) || purpose.Contains("preview", StringComparison.OrdinalIgnoreCase)));
        return new TrafficVerdict(isPreview, device);
    }

    /// <summary>The device class of a user agent; <see cref="DeviceClass.Bot"/> for machines and empty agents.</summary>
    public static DeviceClass DeviceOf(string? userAgent, string? mobileHint = null)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
            return DeviceClass.Bot;
        var agent = userAgent.AsSpan();
        if (agent.IndexOfAny(MachineMarkers) >= 0 || !agent.StartsWith("Mozilla/", StringComparison.OrdinalIgnoreCase) && !agent.StartsWith("Opera", StringComparison.OrdinalIgnoreCase))
            return DeviceClass.Bot;
        if (agent.IndexOfAny(TabletMarkers) >= 0 || (agent.Contains("android", StringComparison.OrdinalIgnoreCase) && !agent.Contains("mobile", StringComparison.OrdinalIgnoreCase)))
            return DeviceClass.Tablet;
        if (mobileHint == "?1" || agent.IndexOfAny(MobileMarkers) >= 0)
            return DeviceClass.Mobile;
        return DeviceClass.Desktop;
    }
}
