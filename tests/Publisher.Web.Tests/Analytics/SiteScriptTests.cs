using System.IO.Compression;
using System.Net;
using System.Text;
using Publisher.Testing;

namespace Publisher.Web.Tests.Analytics;

/// <summary>/t.js as the brand's sites get it: small, cacheable, compressed, and asking for nothing a strict CSP forbids.</summary>
[Collection(WebAppCollection.Name)]
public class SiteScriptTests(PublisherWebApp app)
{
    /// <summary>The promise: under 2 KB gzipped.</summary>
    private const int MaxGzippedBytes = 2048;

    private static string ScriptOnDisk() => File.ReadAllText(Path.Combine(RepositoryRoot.Path, "web", "Analytics", "t.js"));

    [Fact]
    public async Task The_script_goes_out_gzipped_under_2_KB_and_unchanged_once_unzipped()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/t.js");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        var response = await app.NewClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=300", response.Headers.CacheControl?.ToString());
        Assert.False(response.Headers.Contains("Set-Cookie"));
        var wire = await response.Content.ReadAsByteArrayAsync();
        Assert.True(wire.Length < MaxGzippedBytes, $"/t.js is {wire.Length:N0} bytes gzipped; it must stay under {MaxGzippedBytes:N0}.");
        await using var unzip = new GZipStream(new MemoryStream(wire), CompressionMode.Decompress);
        using var text = new StreamReader(unzip, Encoding.UTF8);
        Assert.Equal(ScriptOnDisk(), await text.ReadToEndAsync());
    }

    [Fact]
    public async Task A_client_that_takes_no_compression_gets_the_plain_script_and_pages_are_never_compressed()
    {
        var client = app.NewClient();
        var plain = await client.GetAsync("/t.js");
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.Equal(ScriptOnDisk(), await plain.Content.ReadAsStringAsync());

        var page = new HttpRequestMessage(HttpMethod.Get, "/Account/SignIn");
        page.Headers.AcceptEncoding.ParseAdd("gzip");
        var signIn = await client.SendAsync(page);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Empty(signIn.Content.Headers.ContentEncoding); // a page with an antiforgery token: no compression (BREACH)
    }

    [Fact]
    public void The_script_needs_nothing_a_strict_CSP_forbids_and_never_widens_its_cookie_to_other_hosts()
    {
        var script = ScriptOnDisk();
        // No eval, no string timers, no inline styles or injected script tags: it runs under script-src 'self' <publisher>.
        foreach (var forbidden in new[] { "eval(", "new Function", "setTimeout('", "setTimeout(\"", "innerHTML", "createElement('script')", ".style." })
            Assert.DoesNotContain(forbidden, script);
        // The cookie it writes is first party, on the page's own host: never widened to a parent domain.
        Assert.DoesNotContain("domain=", script, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task When_the_brand_requires_consent_the_script_is_served_waiting_for_it_and_revalidates_cheaply()
    {
        var client = app.NewClient();
        var free = await client.GetAsync("/t.js");
        var etag = free.Headers.ETag!;
        Assert.Contains("/*brand-consent*/0", await free.Content.ReadAsStringAsync());
        var again = new HttpRequestMessage(HttpMethod.Get, "/t.js");
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);

        await CollectTests.RequireConsentAsync(app, true);
        try
        {
            var asking = await client.GetAsync("/t.js");
            var text = await asking.Content.ReadAsStringAsync();
            // The same script with the brand's setting written in: it records nothing until publisher.consent(true).
            Assert.Equal(ScriptOnDisk().Replace("/*brand-consent*/0", "1"), text);
            Assert.Contains("var ask = 1 ||", text);
            Assert.NotEqual(etag, asking.Headers.ETag);
            var stale = new HttpRequestMessage(HttpMethod.Get, "/t.js");
            stale.Headers.IfNoneMatch.Add(etag);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(stale)).StatusCode); // a cached copy from before the change is replaced
        }
        finally
        {
            await CollectTests.RequireConsentAsync(app, false);
        }
    }
}
