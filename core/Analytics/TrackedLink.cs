namespace Publisher.Core.Analytics;

/// <summary>
/// One first-party short link, <c>{PublicUrl}/l/{Code}</c>, and where it leads. Made when its variant is rendered
/// (a database trigger copies every link of a saved variant's <c>LinksJson</c> here), kept as long as the variant, and
/// never pointed anywhere else: the redirect only ever sends a code to its own destination.
/// </summary>
public class TrackedLink
{
    public required string Code { get; set; }
    public Guid VariantId { get; set; }

    /// <summary>Where the link leads, with the variant's UTM tags; the redirect adds the click id.</summary>
    public required string Destination { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A link as a variant carries it, stored in the variant's <c>LinksJson</c> and covered by its content hash.</summary>
/// <param name="Code">The short link's code.</param>
/// <param name="ShortUrl">The short link as it goes out.</param>
/// <param name="Destination">Where it leads (UTM tags included).</param>
public sealed record VariantLink(string Code, string ShortUrl, string Destination)
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>The links stored in a variant's <c>LinksJson</c>; none when there are none or the JSON is unreadable.</summary>
    public static IReadOnlyList<VariantLink> ListOf(string? linksJson)
    {
        if (string.IsNullOrWhiteSpace(linksJson))
            return [];
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<List<VariantLink>>(linksJson, Json) ?? [];
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
    }
}
