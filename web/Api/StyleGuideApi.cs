using Microsoft.AspNetCore.Mvc;
using Publisher.StyleGuide;
using Publisher.Web.Security;

namespace Publisher.Web.Api;

/// <summary>POST /api/styleguide/validate: the guide editor checks the YAML as the brand manager types. Saves nothing.</summary>
public static class StyleGuideApi
{
    public sealed record ValidateRequest(string? Yaml);

    public static void MapStyleGuideApi(this RouteGroupBuilder api) =>
        api.MapPost("/styleguide/validate", ([FromBody] ValidateRequest request) =>
        {
            var parsed = StyleGuideYaml.Parse(request.Yaml);
            return Results.Ok(new
            {
                valid = parsed.Succeeded,
                diagnostics = parsed.Diagnostics.Select(d => new
                {
                    severity = d.Severity.ToString().ToLowerInvariant(), message = d.Message, path = d.Path,
                    line = d.Line > 0 ? d.Line : (int?)null, column = d.Column > 0 ? d.Column : (int?)null,
                }),
            });
        })
        .RequireAuthorization(Policies.ManageStyleGuide)
        // Larger than the guide's own limit, so that a guide over it gets the reader's answer (the limit and the line).
        .WithMetadata(new RequestSizeLimitAttribute(9 * 1024 * 1024));
}
