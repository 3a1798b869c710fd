using System.Security.Cryptography;
using System.Text;

namespace Publisher.Web.Analytics;

/// <summary>
/// <c>GET /t.js</c>, the script the brand's sites load, served from memory with the brand's consent setting written
/// in: when the brand requires consent the script itself records nothing and sets no cookie until the page calls
/// <c>publisher.consent(true)</c>, whatever snippet the site copied, and its reports then carry the consent marker that
/// <see cref="CollectEndpoint"/> insists on. Cached for a few minutes only, so a changed setting reaches the sites soon;
/// until then the collector refuses what a stale copy sends without consent.
/// </summary>
public static class SiteScript
{
    /// <summary>The text in t.js the server replaces with 1 when the brand requires consent.</summary>
    public const string ConsentMarker = "/*brand-consent*/0";

    /// <summary>How long browsers and caches keep the script before asking again (cheaply, with its ETag).</summary>
    public const string CacheControl = "public, max-age=300";

    private sealed record Version(byte[] Body, string ETag);

    private static readonly Lazy<(Version Free, Version AskFirst)> Versions = new(() =>
    {
        using var stream = typeof(SiteScript).Assembly.GetManifestResourceStream("Publisher.Web.Analytics.t.js")
            ?? throw new InvalidOperationException("t.js is missing from the web app's resources: rebuild Publisher.Web.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd();
        if (!text.Contains(ConsentMarker, StringComparison.Ordinal))
            throw new InvalidOperationException($"t.js has lost its consent marker {ConsentMarker}: the brand's consent setting could not be applied.");
        return (Of(text), Of(text.Replace(ConsentMarker, "1", StringComparison.Ordinal)));
    });

    /// <summary>The script as served for a brand that does (or does not) require consent.</summary>
    public static string Text(bool requireConsent) => Encoding.UTF8.GetString(requireConsent ? Versions.Value.AskFirst.Body : Versions.Value.Free.Body);

    private static Version Of(string text)
    {
        var body = Encoding.UTF8.GetBytes(text);
        return new Version(body, "\"" + Convert.ToHexStringLower(SHA256.HashData(body))[..16] + "\"");
    }

    public static IEndpointRouteBuilder MapSiteScript(this IEndpointRouteBuilder app)
    {
        // Short-circuited like the redirect: a public script needs no sign-in, authorization or antiforgery.
        app.MapMethods(AnalyticsCollection.SiteScriptPath, [HttpMethods.Get, HttpMethods.Head], ServeAsync).AllowAnonymous().ShortCircuit().ExcludeFromDescription();
        return app;
    }

    private static async Task ServeAsync(HttpContext http, SiteSettingsCache sites)
    {
        var settings = await sites.GetAsync(http.RequestAborted);
        var version = settings.RequireConsent ? Versions.Value.AskFirst : Versions.Value.Free;
        var response = http.Response;
        response.Headers.CacheControl = CacheControl;
        response.Headers.ETag = version.ETag;
        response.Headers.XContentTypeOptions = "nosniff";
        if (http.Request.Headers.IfNoneMatch.ToString() == version.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        response.ContentType = "text/javascript; charset=utf-8";
        response.ContentLength = version.Body.Length;
        if (!HttpMethods.IsHead(http.Request.Method))
            await response.Body.WriteAsync(version.Body, http.RequestAborted);
    }
}
