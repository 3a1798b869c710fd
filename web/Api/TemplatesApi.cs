using Microsoft.AspNetCore.Mvc;
using Publisher.Core.Composition;
using Publisher.Templates.Channels;
using Publisher.Templates.Model;
using Publisher.Templates.Rendering;
using Publisher.Web.Security;

namespace Publisher.Web.Api;

/// <summary>
/// POST /api/templates/validate: the template editor sends the source as the brand manager types and gets
/// back its diagnostics (line and column) and a preview of a sample message rendered with it. Saves nothing.
/// </summary>
public static class TemplatesApi
{
    public sealed record ValidateRequest(string? Kind, string? Source);

    /// <summary>The message every template preview shows: ordinary content, so the preview looks like a real post.</summary>
    public static MessageInput SampleMessage { get; } = new()
    {
        Id = "sample",
        Title = "Autumn Blend is back",
        Summary = "Our Autumn Blend returns on Saturday: notes of fig, cocoa and toasted hazelnut.",
        BodyMarkdown = "Our **Autumn Blend** is back from Saturday. Expect notes of fig, cocoa and toasted hazelnut, " +
                       "roasted on Tuesdays so your beans arrive fresh.\n\nCome taste it at the roastery on Saturday from 10:00, " +
                       "or order online and we ship within 48 hours.\n\n- Fig and cocoa\n- Toasted hazelnut finish",
        Link = "https://northwind.example/autumn",
        CallToAction = "Order the Autumn Blend",
        Hashtags = ["coffee", "autumn", "roastery"],
        KeyFacts = ["from Saturday"],
        Author = "Sam Writer",
        PublishAt = new DateTimeOffset(2026, 10, 3, 9, 0, 0, TimeSpan.Zero),
    };

    public static readonly CampaignInput SampleCampaign = new("Autumn launch", "autumn-launch");

    public static void MapTemplatesApi(this RouteGroupBuilder api)
    {
        api.MapPost("/templates/validate", async ([FromBody] ValidateRequest request, VariantRenderer renderer, VariantComposer composer, HttpContext http) =>
        {
            if (!Enum.TryParse<ChannelKind>(request.Kind, ignoreCase: false, out var kind) || !Enum.IsDefined(kind))
                return Results.Problem(statusCode: 400, title: "Unknown channel",
                    detail: $"'{request.Kind}' is not a channel kind. Use one of: {string.Join(", ", Enum.GetNames<ChannelKind>())}.");
            var source = request.Source ?? "";
            // The check and the preview share one budget: together they can take no longer than one request may.
            var budget = new RenderBudget(renderer.Limits);
            var diagnostics = renderer.ValidateTemplate(kind, source, budget);
            var context = await composer.LoadContextAsync(http.RequestAborted);
            var preview = renderer.Render(SampleMessage, context.Brand, SampleCampaign,
                new ChannelSettings { Kind = kind, AllowThreads = true, TemplateSource = source }, http.RequestAborted, budget);
            return Results.Ok(new
            {
                valid = !diagnostics.Any(d => d.Severity == Templates.Diagnostics.DiagnosticSeverity.Error),
                diagnostics = diagnostics.Select(Describe),
                preview = new
                {
                    success = preview.Success,
                    text = preview.Text,
                    html = preview.Html,
                    subject = preview.Subject,
                    preheader = preview.Preheader,
                    jsonPayload = preview.JsonPayload,
                    count = new { used = preview.Count.Used, limit = preview.Count.Limit, unit = preview.Count.Unit, overLimit = preview.Count.IsOverLimit },
                    parts = preview.Parts.Where(_ => preview.IsThread).Select(p => new { text = p.Text, used = p.Count.Used, limit = p.Count.Limit }),
                    diagnostics = preview.Diagnostics.Where(d => !diagnostics.Contains(d)).Select(Describe),
                },
            });
        })
        .RequireAuthorization(Policies.ManageStyleGuide)
        .WithMetadata(new RequestSizeLimitAttribute(1024 * 1024));

        MapPreviewDocument(api);
    }

    /// <summary>
    /// The preview of an HTML channel as its own document, which the editor posts into a sandboxed frame, served
    /// under <see cref="PreviewDocuments.Policy"/>.
    /// </summary>
    private static void MapPreviewDocument(RouteGroupBuilder api) =>
        api.MapPost("/templates/preview", async (VariantRenderer renderer, VariantComposer composer, HttpContext http) =>
        {
            if (!http.Request.HasFormContentType)
                return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Send a form",
                    detail: "Post the template as a form (application/x-www-form-urlencoded or multipart/form-data) with kind, source and the antiforgery token.");
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            if (!Enum.TryParse<ChannelKind>(form["kind"], ignoreCase: false, out var kind) || !Enum.IsDefined(kind))
                return Results.Problem(statusCode: 400, title: "Unknown channel", detail: $"'{form["kind"]}' is not a channel kind.");
            var context = await composer.LoadContextAsync(http.RequestAborted);
            var preview = renderer.Render(SampleMessage, context.Brand, SampleCampaign,
                new ChannelSettings { Kind = kind, AllowThreads = true, TemplateSource = form["source"].ToString() }, http.RequestAborted, new RenderBudget(renderer.Limits));
            var html = preview.Html is { Length: > 0 } rendered
                ? rendered
                : "<!DOCTYPE html><p style=\"font-family:sans-serif;color:#b91c1c\">No HTML to show: " +
                  System.Net.WebUtility.HtmlEncode(preview.Diagnostics.FirstOrDefault(d => d.Severity == Templates.Diagnostics.DiagnosticSeverity.Error)?.Message ?? "the template wrote none.") + "</p>";
            var served = PreviewDocuments.Serve(http, html);
            http.Response.Headers.CacheControl = "no-store";
            return served;
        })
        .RequireAuthorization(Policies.ManageStyleGuide)
        .WithMetadata(new RequestSizeLimitAttribute(1024 * 1024))
        .DisableAntiforgery(); // The group's ApiAntiforgery filter checks the form's token.

    private static object Describe(Templates.Diagnostics.Diagnostic d) =>
        new { severity = d.Severity.ToString().ToLowerInvariant(), code = d.Code, message = d.Message, line = d.Line, column = d.Column };
}
