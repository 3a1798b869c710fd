namespace Publisher.Templates.Html;

/// <summary>
/// Which images a brand's email and blog may show: the app's own media (<c>/media/…</c> and
/// <c>{public address}/media/…</c>) and https images on the hosts the brand lists in its style guide
/// (<c>identity.imageHosts</c>). Anything else would let a template or a message load pictures from
/// anywhere, which is how tracking pixels and unvetted pictures get into a brand's mail.
/// </summary>
public sealed record ImagePolicy
{
    /// <summary>Allows only the app's own relative <c>/media/</c> addresses.</summary>
    public static ImagePolicy OwnMediaOnly { get; } = new();

    /// <summary>The app's own media address, <c>{public address}/media/</c>, or null when unknown.</summary>
    public string? MediaBaseUrl { get; init; }

    /// <summary>Host names (like <c>cdn.northwind.example</c>) whose https images may be shown; matched exactly, case ignored.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>True when an image at <paramref name="source"/> may be shown.</summary>
    public bool Allows(string? source)
    {
        var src = source?.Trim();
        if (string.IsNullOrEmpty(src) || src.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '\\'))
            return false;
        if (src.StartsWith("/media/", StringComparison.Ordinal))
            return !src.Contains("/../", StringComparison.Ordinal) && !src.Contains("/./", StringComparison.Ordinal);
        if (!Uri.TryCreate(src, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.UserInfo.Length > 0)
            return false;
        if (MediaBaseUrl is not null && Uri.TryCreate(MediaBaseUrl, UriKind.Absolute, out var media)
            && uri.Scheme == media.Scheme && string.Equals(uri.Host, media.Host, StringComparison.OrdinalIgnoreCase) && uri.Port == media.Port
            && uri.AbsolutePath.StartsWith(media.AbsolutePath, StringComparison.Ordinal))
            return true;
        return uri.Scheme == Uri.UriSchemeHttps && uri.IsDefaultPort && Hosts.Any(h => string.Equals(h, uri.IdnHost, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The origins these images come from, for a Content-Security-Policy <c>img-src</c> (the app's own is <c>'self'</c>).</summary>
    public IEnumerable<string> HostSources => Hosts.Select(h => "https://" + h);
}
