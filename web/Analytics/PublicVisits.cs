using Publisher.Analytics.Privacy;
using Publisher.Analytics.Traffic;

namespace Publisher.Web.Analytics;

/// <summary>
/// How a request from the public (a tracked link, a blog article) is told apart from a machine and how its visitor is
/// counted: one set of rules for every place the app counts people itself, so a bot is a bot everywhere.
/// </summary>
public static class PublicVisits
{
    private static readonly string[] PurposeHeaders = ["Sec-Purpose", "Purpose", "X-Purpose", "X-Moz"];

    /// <summary>Preview or person, and the device class, from the method, the user agent and the prefetch headers.</summary>
    public static TrafficVerdict Classify(HttpRequest request)
    {
        var headers = request.Headers;
        string? purpose = null;
        foreach (var name in PurposeHeaders)
        {
            if (headers.TryGetValue(name, out var value) && value.Count > 0)
            {
                purpose = value.ToString();
                break;
            }
        }
        return TrafficClassifier.Classify(request.Method, headers.UserAgent.ToString(), purpose, headers["Sec-CH-UA-Mobile"].ToString());
    }

    /// <summary>
    /// The daily visitor hash of a person's request; null for previews and for visitors who asked not to be tracked
    /// (Do Not Track, Global Privacy Control). The address is only hashed with the day's salt, never kept.
    /// </summary>
    public static long? VisitorHashOf(HttpContext http, TrafficVerdict verdict, VisitorSalts salts)
    {
        var headers = http.Request.Headers;
        var address = http.Connection.RemoteIpAddress;
        return verdict.IsPreview || address is null || PrivacySignals.OptedOut(headers["DNT"].ToString(), headers["Sec-GPC"].ToString())
            ? null
            : VisitorHash.Compute(salts.Today(), address.ToString(), headers.UserAgent.ToString());
    }
}
