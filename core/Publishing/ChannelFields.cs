namespace Publisher.Core.Publishing;

/// <summary>One thing a channel account needs to publish: a secret (encrypted, never shown back) or a plain setting.</summary>
public sealed record ChannelField(string Key, string Label, bool Secret, bool Required, string? Hint = null);

/// <summary>
/// What each network's client reads from an account (the worker's <c>worker/Channels/README.md</c> says how it
/// uses each one). The channel settings page builds its form from this list.
/// </summary>
public static class ChannelFields
{
    public static IReadOnlyList<ChannelField> For(string kind) => kind switch
    {
        "X" =>
        [
            new("consumer_key", "API key (consumer key)", true, true),
            new("consumer_secret", "API key secret", true, true),
            new("access_token", "Access token", true, true),
            new("access_token_secret", "Access token secret", true, true),
        ],
        "Mastodon" => [new("access_token", "Access token (write:statuses)", true, true)],
        "Bluesky" =>
        [
            new("identifier", "Handle or DID", true, true, "e.g. northwind.bsky.social"),
            new("app_password", "App password", true, true, "Create one under Settings → App passwords; never the account password."),
        ],
        "LinkedIn" =>
        [
            new("access_token", "Access token (w_organization_social)", true, true),
            new("author_urn", "Author URN", false, true, "e.g. urn:li:organization:123456"),
            new("version", "API version (yyyyMM)", false, false, "Leave empty for the version Publisher was tested with."),
        ],
        "FacebookPage" =>
        [
            new("page_access_token", "Page access token", true, true),
            new("user_access_token", "User access token (for videos)", true, false,
                "Facebook takes a video's file only with the token of a person with a role on the Meta app set as Connect__Facebook__ClientId; Connect stores it for you."),
            new("page_id", "Page id", false, true),
            new("graph_version", "Graph API version", false, false, "e.g. v21.0"),
        ],
        "Email" =>
        [
            new("smtp_host", "SMTP server", false, true),
            new("smtp_port", "SMTP port", false, true, "587 for STARTTLS, 465 for SSL"),
            new("smtp_security", "Security", false, false, "StartTls (default), SslOnConnect or None"),
            new("smtp_username", "SMTP user name", true, false),
            new("smtp_password", "SMTP password", true, false),
            new("from", "From address", false, true, "e.g. Northwind Coffee <news@northwind.example>"),
            new("recipients", "Recipients", false, true, "One address per line (or comma separated)."),
            new("unsubscribe_url", "Unsubscribe address (https)", false, false, "Sent as List-Unsubscribe with one-click unsubscribe."),
            new("unsubscribe_mailto", "Unsubscribe mailbox", false, false),
        ],
        "Webhook" => [new("secret", "Signing secret", true, true, "Receivers check X-Publisher-Signature with it.")],
        "Threads" =>
        [
            new("access_token", "Threads access token", true, true, "A long-lived Threads user token with threads_basic and threads_content_publish (it lasts 60 days: refresh it before then)."),
            new("user_id", "Threads user id", false, true, "The number GET /me?fields=id answers with that token."),
            new("api_version", "Threads API version", false, false, "Leave empty for v1.0."),
        ],
        "Instagram" =>
        [
            new("access_token", "Access token", true, true, "A Page or system-user token with instagram_basic and instagram_content_publish, for a Page linked to the Instagram business or creator account."),
            new("ig_user_id", "Instagram business account id", false, true, "The id GET /{page-id}?fields=instagram_business_account answers with."),
            new("graph_version", "Graph API version", false, false, "e.g. v21.0"),
        ],
        _ => [],
    };

    /// <summary>Whether the account's API address may be changed (every network but the blog; the webhook needs one).</summary>
    public static bool HasAddress(string kind) => kind is not ("Blog" or "Email");
}
