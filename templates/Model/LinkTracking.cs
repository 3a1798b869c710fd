namespace Publisher.Templates.Model;

/// <summary>
/// Turns the destination of a link into the first-party short link that goes out in its place. The caller (the
/// composer) decides the short link; the renderer stays pure and only asks. The same destination must always give
/// the same short link within one variant.
/// </summary>
/// <param name="destination">Where the link leads, UTM tags included.</param>
/// <returns>The short link, an absolute http(s) address.</returns>
public delegate string LinkShortener(string destination);

/// <summary>A tracked link a rendered variant carries: the short link that goes out and where it leads.</summary>
/// <param name="ShortUrl">The short link, as it appears in the variant.</param>
/// <param name="Destination">Where it leads (UTM tags included).</param>
public sealed record TrackedLinkUse(string ShortUrl, string Destination);
