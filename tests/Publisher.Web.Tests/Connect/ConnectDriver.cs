using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Testing.Fakes;

namespace Publisher.Web.Tests.Connect;

/// <summary>
/// Drives a Connect the way a browser does, without one: the admin's client presses Connect in the app, a plain client
/// (the same person's browser at the network) reads the fake's consent page and presses Allow or Deny, and the admin's
/// client follows the network's redirect back to the app.
/// </summary>
public static class ConnectDriver
{
    /// <summary>Presses Connect on Channels; the consent page's address the app sends the browser on to.</summary>
    public static async Task<Uri> StartAsync(HttpClient admin, string network, string? instance = null, Guid? account = null)
    {
        var response = await PostStartAsync(admin, network, instance, account);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Connect did not start: {response.StatusCode} {response.Headers.Location}");
        var link = Regex.Match(html, "id=\"continue-connect\" href=\"([^\"]+)\"");
        Assert.True(link.Success, "The Connect page has no link on to the network");
        return new Uri(WebUtility.HtmlDecode(link.Groups[1].Value));
    }

    /// <summary>The Connect (or Reconnect) button's form, as posted from Channels.</summary>
    public static async Task<HttpResponseMessage> PostStartAsync(HttpClient admin, string network, string? instance = null, Guid? account = null)
    {
        var token = await PublisherWebApp.AntiforgeryTokenAsync(admin, "/Channels");
        var fields = new List<KeyValuePair<string, string>> { new("network", network), new("__RequestVerificationToken", token) };
        if (instance is not null) fields.Add(new("instance", instance));
        if (account is not null) fields.Add(new("account", account.Value.ToString()));
        return await admin.PostAsync("/Channels/Connect", new FormUrlEncodedContent(fields));
    }

    /// <summary>At the network: the consent page, then Allow (or Deny). The address the network sends the browser back to.</summary>
    public static async Task<Uri> ConsentAsync(Uri authorize, bool allow)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var page = await browser.GetAsync(authorize);
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"The consent page refused: {html}");
        Assert.Contains("Allow", html);
        var form = Regex.Match(html, "<form method=\"post\" action=\"([^\"]+)\">(.*?)</form>", RegexOptions.Singleline);
        var fields = Regex.Matches(form.Groups[2].Value, "<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">")
            .Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)))
            .Append(new("decision", allow ? "allow" : "deny"));
        var decided = await browser.PostAsync(new Uri(authorize, WebUtility.HtmlDecode(form.Groups[1].Value)), new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Found, decided.StatusCode);
        return decided.Headers.Location!;
    }

    /// <summary>Back in the app: the callback, as the admin's browser follows the redirect.</summary>
    public static Task<HttpResponseMessage> ReturnAsync(HttpClient admin, Uri back) => admin.GetAsync(back.PathAndQuery);

    /// <summary>The whole of a Mastodon Connect with Allow: the app's answer to the callback.</summary>
    public static async Task<HttpResponseMessage> ConnectMastodonAsync(HttpClient admin, FakeMastodonApi mastodon, Guid? account = null)
    {
        var authorize = await StartAsync(admin, "Mastodon", account is null ? mastodon.BaseUri.ToString() : null, account);
        return await ReturnAsync(admin, await ConsentAsync(authorize, allow: true));
    }

    public static async Task<T> WithDbAsync<T>(PublisherWebApp app, Func<PublisherDbContext, Task<T>> read)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<PublisherDbContext>());
    }

    public static Task<ChannelAccount?> AccountAtAsync(PublisherWebApp app, Uri instance) =>
        WithDbAsync(app, db => db.ChannelAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.BaseAddress == instance.GetLeftPart(UriPartial.Authority)));
}
