using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Publisher.Web.Tests.Security;

[Collection(WebAppCollection.Name)]
public class ExplicitPolicyTests(PublisherWebApp app)
{
    [Fact]
    public void Every_page_and_endpoint_names_a_policy_or_says_it_is_public()
    {
        _ = app.Server; // builds the app
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.NotEmpty(endpoints);

        var unnamed = endpoints
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Where(e => !e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => !string.IsNullOrEmpty(a.Policy) || !string.IsNullOrEmpty(a.Roles)))
            .Select(e => e.RoutePattern.RawText ?? e.DisplayName)
            .ToList();
        Assert.True(unnamed.Count == 0, "These endpoints rely on the fallback policy instead of naming one: " + string.Join(", ", unnamed));

        // And the few public ones are exactly the ones meant to be.
        var anonymous = endpoints.Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .Select(e => e.RoutePattern.RawText!.TrimStart('/')).Order(StringComparer.Ordinal).ToList();
        // The analytics ones check what they take themselves: a tracked link only ever leads to its own destination,
        // /t/collect takes reports from the allowed sites only, /api/events needs an ingest key; /t.js is the public script.
        Assert.Equal(["Account/AcceptInvite", "Account/SignIn", "Status/{code:int}", "api/events", "blog/", "blog/feed.atom", "blog/{slug}", "calendar/feed/{token}.ics",
            "health", "l/{code}", "media/{sha256}/{name}", "t.js", "t/collect", "t/collect", "u/{variantId:guid}"], anonymous);
    }
}
