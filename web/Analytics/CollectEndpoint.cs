using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Publisher.Analytics.Events;
using Publisher.Analytics.Links;
using Publisher.Analytics.Privacy;
using Publisher.Analytics.Traffic;
using Publisher.Core.Analytics;

namespace Publisher.Web.Analytics;

/// <summary>A contact, qualified lead or sale reported by /t.js, waiting to be written.</summary>
public sealed record SiteConversion(ReportedConversion Conversion);

/// <summary>
/// <c>POST /t/collect</c>: what <c>/t.js</c> reports from the brand's site (page views, and contacts, qualified leads
/// and sales from <c>publisher.track</c>). No sign-in and no antiforgery token (it is called from other sites); instead
/// only the allowed site origins are taken, each report is at most a few kilobytes, and each visitor (by daily hash)
/// and each origin may send only so many a minute. Reports are queued; the answer is 204 at once.
/// </summary>
public static class CollectEndpoint
{
    public const string Path = "/t/collect";

    private static PartitionedRateLimiter<string>? s_perVisitor;
    private static PartitionedRateLimiter<string>? s_perOrigin;

    public static IEndpointRouteBuilder MapCollect(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<AnalyticsOptions>>().Value;
        s_perVisitor = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = options.CollectPerVisitorPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        s_perOrigin = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = options.CollectPerOriginPerSecond, Window = TimeSpan.FromSeconds(1), QueueLimit = 0 }));
        app.MapPost(Path, CollectAsync).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        app.MapMethods(Path, [HttpMethods.Options], PreflightAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task PreflightAsync(HttpContext http, SiteSettingsCache sites)
    {
        var origin = http.Request.Headers.Origin.ToString();
        var allowed = await sites.GetAsync(http.RequestAborted);
        if (!allowed.Origins.Contains(origin))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        AllowCors(http, origin);
        http.Response.Headers.AccessControlAllowMethods = "POST";
        http.Response.Headers.AccessControlAllowHeaders = "Content-Type";
        http.Response.Headers.AccessControlMaxAge = "86400";
        http.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static void AllowCors(HttpContext http, string origin)
    {
        http.Response.Headers.AccessControlAllowOrigin = origin;
        http.Response.Headers.Vary = "Origin";
    }

    private static async Task<IResult> CollectAsync(HttpContext http, SiteSettingsCache sites, EventQueue<PageView> pageViews, EventQueue<SiteConversion> conversions,
        VisitorSalts salts, IOptions<AnalyticsOptions> options, TimeProvider clock)
    {
        var request = http.Request;
        var origin = request.Headers.Origin.ToString();
        var allowed = await sites.GetAsync(http.RequestAborted);
        if (origin.Length == 0 || !allowed.Origins.Contains(origin))
            return Results.Problem(statusCode: 403, title: "Site not allowed",
                detail: $"Reports from {(origin.Length == 0 ? "a page without an Origin" : origin)} are not taken. An admin adds the site's address under Analytics → Settings.");
        AllowCors(http, origin);

        var agent = request.Headers.UserAgent.ToString();
        var optedOut = PrivacySignals.OptedOut(request.Headers["DNT"].ToString(), request.Headers["Sec-GPC"].ToString());
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "";
        var hash = VisitorHash.Compute(salts.Today(), address, agent);
        using (var perOrigin = s_perOrigin!.AttemptAcquire(origin))
        using (var perVisitor = s_perVisitor!.AttemptAcquire(hash.ToString()))
        {
            if (!perOrigin.IsAcquired || !perVisitor.IsAcquired)
            {
                http.Response.Headers.RetryAfter = "60";
                return Results.Problem(statusCode: 429, title: "Too many reports", detail: "This visitor or site sent more reports than a person browsing would; try again in a minute.");
            }
        }

        var max = options.Value.MaxCollectBytes;
        if (request.ContentLength > max)
            return Results.Problem(statusCode: 413, title: "Report too large", detail: $"A report may be at most {max:N0} bytes.");
        var buffer = new byte[max + 1];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await request.Body.ReadAsync(buffer.AsMemory(read), http.RequestAborted);
            if (n == 0)
                break;
            read += n;
        }
        if (read > max)
            return Results.Problem(statusCode: 413, title: "Report too large", detail: $"A report may be at most {max:N0} bytes.");

        SiteReport report;
        try
        {
            using var document = JsonDocument.Parse(buffer.AsMemory(0, read));
            var parsed = SiteReport.Read(document.RootElement, clock.GetUtcNow());
            if (parsed.Error is { } error)
                return Results.Problem(statusCode: 400, title: "Bad report", detail: error);
            report = parsed.Report!;
        }
        catch (JsonException)
        {
            return Results.Problem(statusCode: 400, title: "Bad report", detail: "The report is not JSON.");
        }
        if (OriginOfPage(report.Url) != origin)
            return Results.Problem(statusCode: 400, title: "Bad report", detail: "The page address is not on the site that sent the report.");
        // The brand requires consent: a report that does not say it was given (a copy of the script from before the
        // setting, or a hand-made request) is not taken, so nothing is recorded until the visitor agreed.
        if (allowed.RequireConsent && !report.Consented)
            return Results.Problem(statusCode: 403, title: "Consent required",
                detail: "This brand records visits only with the visitor's consent: the page calls publisher.consent(true) once the visitor agreed, and /t.js then reports.");

        var now = clock.GetUtcNow();
        var verdict = TrafficClassifier.Classify("GET", agent, request.Headers["Sec-Purpose"].ToString(), request.Headers["Sec-CH-UA-Mobile"].ToString());
        var visitorId = optedOut ? null : report.VisitorId;
        if (report.Kind is null)
        {
            if (verdict.Device == DeviceClass.Bot)
                return Results.NoContent(); // a crawler running the script is not a visit
            var query = System.Web.HttpUtility.ParseQueryString(report.Url.Query);
            var landedWithClick = ClickIds.TryParse(query[ClickIds.Parameter], out var clickId);
            pageViews.TryAdd(new PageView
            {
                Id = Guid.CreateVersion7(), At = now, SessionId = report.SessionId, VisitorId = visitorId, VisitorHash = optedOut ? null : hash,
                StartsSession = report.NewSession, Host = report.Url.Host.ToLowerInvariant(), Path = Cut(report.Url.AbsolutePath, 512)!,
                ClickId = report.NewSession && landedWithClick ? clickId : null,
                UtmSource = report.NewSession ? Cut(query["utm_source"]?.Trim().ToLowerInvariant(), 60) : null,
                UtmMedium = report.NewSession ? Cut(query["utm_medium"]?.Trim().ToLowerInvariant(), 60) : null,
                UtmCampaign = report.NewSession ? Cut(query["utm_campaign"]?.Trim(), 100) : null,
                ReferrerHost = report.NewSession && TrackedLinkEndpoints.HostOf(report.Referrer) is { } referrer && referrer != report.Url.Host.ToLowerInvariant() ? referrer : null,
                Device = (short)verdict.Device,
            });
        }
        else
        {
            conversions.TryAdd(new SiteConversion(new ReportedConversion(report.EventId!, report.Kind.Value, now, report.Value, report.Currency,
                report.ClickId, visitorId, report.EmailSha256)));
        }
        return Results.NoContent();
    }

    private static string? OriginOfPage(Uri url) => url.GetLeftPart(UriPartial.Authority).ToLowerInvariant();

    private static string? Cut(string? text, int length) => string.IsNullOrEmpty(text) ? null : text.Length <= length ? text : text[..length];
}

/// <summary>
/// One report from /t.js: <c>{"k","u","r","s","v","n","id","val","cur","e","c","g"}</c> (short names keep the script small);
/// <c>g</c> is 1 when the page gave consent with <c>publisher.consent(true)</c>.
/// </summary>
public sealed record SiteReport(ConversionKind? Kind, Uri Url, string? Referrer, Guid SessionId, string? VisitorId, bool NewSession,
    string? EventId, decimal Value, string? Currency, string? EmailSha256, Guid? ClickId, bool Consented = false)
{
    /// <summary>Reads and checks a report; the error says what is wrong.</summary>
    public static (SiteReport? Report, string? Error) Read(JsonElement root, DateTimeOffset now)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return (null, "The report must be a JSON object.");
        string? Text(string name) => root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

        ConversionKind? kind = null;
        var k = Text("k");
        if (k != "view")
        {
            if (!ConversionKinds.TryParseReportable(k, out var parsed))
                return (null, "\"k\" must be view, contact, qualified or sale.");
            kind = parsed;
        }
        if (!Uri.TryCreate(Text("u"), UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || url.Host.Length == 0 || url.OriginalString.Length > 2048)
            return (null, "\"u\" must be the page's address.");
        if (!Guid.TryParse(Text("s"), out var session))
            return (null, "\"s\" must be the session id.");
        var visitor = Text("v");
        if (visitor is not null && !EventBatchReader.IsVisitorId(visitor))
            return (null, "\"v\" is not a visitor id.");
        static bool Flag(JsonElement root, string name) =>
            root.TryGetProperty(name, out var e) && (e.ValueKind == JsonValueKind.True || e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var i) && i == 1);
        var isNew = Flag(root, "n");
        var referrer = Text("r");

        string? eventId = null, currency = null, email = null;
        decimal value = 0;
        Guid? click = null;
        if (kind is not null)
        {
            eventId = Text("id") ?? Guid.CreateVersion7().ToString("N");
            if (eventId.Length is 0 or > EventBatchReader.MaxIdLength || eventId.Any(char.IsControl))
                return (null, "\"id\" must be 1 to 200 characters.");
            if (root.TryGetProperty("val", out var v) && v.ValueKind != JsonValueKind.Null)
            {
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetDecimal(out value) || value < 0 || value > EventBatchReader.MaxValue)
                    return (null, "\"value\" must be a number, 0 or more.");
                value = decimal.Round(value, 4);
            }
            currency = Text("cur");
            if (currency is not null && !Currencies.IsKnown(currency))
                return (null, "\"currency\" must be an ISO 4217 code such as EUR.");
            if (value > 0 && currency is null)
                return (null, "A value needs its currency.");
            email = Text("e")?.ToLowerInvariant();
            if (email is not null && (email.Length != 64 || !email.All(char.IsAsciiHexDigit)))
                return (null, "\"e\" must be the SHA-256 of the e-mail address.");
            if (ClickIds.TryParse(Text("c"), out var clickId))
                click = clickId;
        }
        return (new SiteReport(kind, url, referrer, session, visitor, isNew, eventId, value, currency, email, click, Flag(root, "g")), null);
    }
}
