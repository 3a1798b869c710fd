namespace Publisher.Templates.Model;

/// <summary>
/// The one check for every web address Publisher stores or shows that came from a person, a file or a
/// network (a message's link, a post's address a network answered with, a brand's website): only absolute
/// <c>http:</c> and <c>https:</c> addresses with a host pass, so <c>javascript:</c>, <c>data:</c>,
/// <c>vbscript:</c> and the like never become a link, and neither does anything with spaces or control
/// characters that a browser would read differently.
/// </summary>
public static class WebAddress
{
    /// <summary>Longest address accepted, in characters.</summary>
    public const int MaxLength = 2048;

    /// <summary>What is wrong with <paramref name="address"/> and what to do, or null when it is a usable web address.</summary>
    public static string? Problem(string address)
    {
        if (address.Length > MaxLength)
            return $"The link is {address.Length:N0} characters long; the limit is {MaxLength:N0}: use a shorter address.";
        if (address.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            return $"The link \"{Shorten(address)}\" contains spaces or control characters: remove them or encode spaces as %20.";
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(uri.Host))
            return $"The link \"{Shorten(address)}\" is not a valid web address: use a full address starting with https://.";
        return null;
    }

    /// <summary>True when <paramref name="address"/> is an absolute http(s) address (surrounding spaces ignored).</summary>
    public static bool IsWeb(string? address) => OrNull(address) is not null;

    /// <summary>The address, trimmed, when it is an absolute http(s) address; otherwise null (store or show nothing).</summary>
    public static string? OrNull(string? address)
    {
        var trimmed = address?.Trim();
        return string.IsNullOrEmpty(trimmed) || Problem(trimmed) is not null ? null : trimmed;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "…";
}
