using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Api;

/// <summary>
/// Every answer of the JSON API that is not a success is an RFC 9457 problem document saying what was wrong,
/// never the HTML status page ("the form may have expired") a script cannot read. Every POST endpoint is tried.
/// </summary>
[Collection(WebAppCollection.Name)]
public class ApiProblemTests(PublisherWebApp app)
{
    /// <summary>The /api endpoints that take a POST, found in the app's own routing table.</summary>
    private IReadOnlyList<string> PostEndpoints() => app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
        .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/", StringComparison.Ordinal) == true)
        .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Contains("POST") == true)
        .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
        .Distinct().ToList();

    /// <summary>
    /// /api/events is called by the brand's shop with an ingest key, not by a signed-in user: without its key it is
    /// refused (401, a problem document) before its body is read. IngestApiTests sends it malformed JSON with a key.
    /// </summary>
    private static bool IsRefusedIngest(string endpoint, HttpResponseMessage response) =>
        endpoint == "/api/events" && response.StatusCode == HttpStatusCode.Unauthorized;

    [Fact]
    public async Task Malformed_json_to_every_api_endpoint_is_a_problem_document_that_says_so()
    {
        var client = await PublisherWebApp.WithApiTokenAsync(await app.SignedInAsync(Roles.Admin));
        var endpoints = PostEndpoints();
        Assert.Contains("/api/render", endpoints);
        Assert.True(endpoints.Count >= 5, string.Join(", ", endpoints));
        foreach (var endpoint in endpoints)
        {
            foreach (var body in new[] { "{\"message\": ", "not json at all", "{\"a\":" + new string('[', 100) + new string(']', 100) + "}" })
            {
                var response = await client.PostAsync(endpoint, new StringContent(body, Encoding.UTF8, "application/json"));
                var problem = await ProblemAsync(response, endpoint);
                Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnsupportedMediaType || IsRefusedIngest(endpoint, response), $"{endpoint}: {(int)response.StatusCode}");
                Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), endpoint);
            }
        }
        var json = await (await client.PostAsync("/api/render", new StringContent("{\"message\": {\"title\": }", Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync();
        Assert.Contains("not valid JSON", json);
        Assert.Contains("line 1", json);
    }

    [Fact]
    public async Task A_missing_antiforgery_token_on_any_api_endpoint_is_a_problem_document()
    {
        var client = await app.SignedInAsync(Roles.Admin); // signed in, but no RequestVerificationToken header
        foreach (var endpoint in PostEndpoints())
        {
            var response = await client.PostAsync(endpoint, new StringContent("{}", Encoding.UTF8, "application/json"));
            var problem = await ProblemAsync(response, endpoint);
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnsupportedMediaType || IsRefusedIngest(endpoint, response), $"{endpoint}: {(int)response.StatusCode}");
            Assert.NotNull(problem.GetProperty("title").GetString());
        }
        var render = await ProblemAsync(await client.PostAsync("/api/render", new StringContent("{}", Encoding.UTF8, "application/json")), "/api/render");
        Assert.Contains("antiforgery", render.GetProperty("title").GetString()!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Errors_without_a_body_of_their_own_are_problem_documents_too()
    {
        var anonymous = app.NewClient();
        var unauthorized = await anonymous.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        await ProblemAsync(unauthorized, "/api/me");

        var client = await app.SignedInAsync(Roles.Marketer);
        var missing = await client.GetAsync("/api/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        await ProblemAsync(missing, "/api/no-such-thing");

        var forbidden = await client.GetAsync("/api/admin/users");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        await ProblemAsync(forbidden, "/api/admin/users");

        var tooLarge = await (await PublisherWebApp.WithApiTokenAsync(await app.SignedInAsync(Roles.Marketer))).PostAsync("/api/render",
            new StringContent("{\"message\":{\"body\":\"" + new string('a', 9 * 1024 * 1024) + "\"}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Contains("at most 8 MB", (await ProblemAsync(tooLarge, "/api/render")).GetProperty("detail").GetString());
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, string endpoint)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"{endpoint} answered {(int)response.StatusCode} as {response.Content.Headers.ContentType}: {(text.Length > 300 ? text[..300] : text)}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

}
