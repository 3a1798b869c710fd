namespace Publisher.Analytics.Events;

/// <summary>
/// When a visit is a new session: after 30 minutes without a page view, as web analytics count it. <c>/t.js</c>
/// applies the same rule in the browser (its cookie holds the last page view's time); the server applies it to
/// visitors who keep no cookie (Do Not Track, Global Privacy Control, no consent yet), by their daily hash.
/// </summary>
public static class SessionRules
{
    /// <summary>How long a visitor may be idle before their next page view starts a new session.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    /// <summary>Whether a page view at <paramref name="now"/> starts a session, given the previous one at <paramref name="lastSeen"/> (null: none).</summary>
    public static bool StartsSession(DateTimeOffset? lastSeen, DateTimeOffset now) =>
        lastSeen is not { } last || now - last >= IdleTimeout || now < last;
}
