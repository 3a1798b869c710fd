using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Publisher.Core.Domain;
using Publisher.Testing;

namespace Publisher.Web.Tests.Security;

/// <summary>
/// The web app as a real process, as ./run.sh starts it: requests built to exhaust a parser's stack or time
/// get a clear answer, and the process is still there and answering afterwards. (In-process tests cannot
/// show this: a stack overflow ends the test run itself.)
/// </summary>
[Collection(WebAppCollection.Name)]
public class HostileRequestProcessTests(PublisherWebApp app)
{
    [Fact]
    public async Task Deeply_nested_yaml_json_and_markdown_get_an_answer_and_the_web_process_keeps_answering()
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        await using var web = AppProcess.Start("web", "Publisher.Web.dll", new Dictionary<string, string>
        {
            ["PUBLISHER_DB"] = app.ConnectionString,
            ["ASPNETCORE_URLS"] = url,
            ["PUBLISHER_URL"] = url,
        });
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2),
        };
        await WaitUntilAnsweringAsync(http, web);
        Assert.Equal(HttpStatusCode.Redirect, (await PublisherWebApp.PostSignInAsync(http, PublisherWebApp.EmailFor(Roles.BrandManager), PublisherWebApp.Password)).StatusCode);
        var page = await http.GetStringAsync("/StyleGuide/Edit");
        http.DefaultRequestHeaders.Add("RequestVerificationToken",
            WebUtility.HtmlDecode(Regex.Match(page, "name=\"request-verification-token\" content=\"([^\"]+)\"").Groups[1].Value));

        // The request that ended the process: YAML whose value nests '[' 100,000 deep, about 200 KB.
        var yaml = "version: 1\nidentity: " + new string('[', 100_000) + new string(']', 100_000);
        var answer = await http.PostAsJsonAsync("/api/styleguide/validate", new { yaml });
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        using (var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()))
        {
            Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
            var problem = json.RootElement.GetProperty("diagnostics")[0];
            Assert.Equal(2, problem.GetProperty("line").GetInt32());
            Assert.Contains("levels deep", problem.GetProperty("message").GetString());
        }
        await AssertStillAnsweringAsync(http, web);

        // The same nesting as a JSON body: refused by the JSON reader's depth limit with a problem document.
        var deepJson = new StringContent("{\"message\":" + new string('[', 100_000) + new string(']', 100_000) + "}", Encoding.UTF8, "application/json");
        var refused = await http.PostAsync("/api/render", deepJson);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        await AssertStillAnsweringAsync(http, web);

        // Markdown nested past its parser's limit: a clear error on the variant, not a failure.
        var markdown = await http.PostAsJsonAsync("/api/render", new { message = new { title = "Quotes", body = new string('>', 200) + " x" }, channels = new[] { "Email", "X" } });
        Assert.Equal(HttpStatusCode.OK, markdown.StatusCode);
        Assert.Contains("message.markdown-too-deep", await markdown.Content.ReadAsStringAsync());
        await AssertStillAnsweringAsync(http, web);
    }

    private static async Task AssertStillAnsweringAsync(HttpClient http, AppProcess web)
    {
        Assert.False(web.HasExited, "the web process ended:\n" + web.Output);
        var me = await http.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    private static async Task WaitUntilAnsweringAsync(HttpClient http, AppProcess web)
    {
        // Generous: on a machine loaded far past its cores (a CPU hog beside the whole test run, other builds) a fresh
        // process took over 3 minutes to be scheduled through its start. What this test checks is that it keeps
        // answering afterwards, not how fast it starts.
        var started = DateTime.UtcNow;
        var deadline = started.AddMinutes(8);
        while (true)
        {
            Assert.False(web.HasExited, "the web process ended while starting:\n" + web.Output);
            try
            {
                if ((await http.GetAsync("/Account/SignIn")).StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            Assert.True(DateTime.UtcNow < deadline, $"the web process did not answer within {(DateTime.UtcNow - started).TotalMinutes:0.0} minutes:\n" + web.Output);
            await Task.Delay(250);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
