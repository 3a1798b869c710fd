using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.StyleGuide;
using Publisher.Templates.Channels;
using Publisher.Templates.Counting;
using Publisher.Templates.Model;
using Publisher.Templates.Rendering;
using Publisher.Web.Security;

namespace Publisher.Web.Api;

/// <summary>
/// POST /api/render: message fields in, one rendered variant per channel kind or account out, each
/// checked against the current style guide. It saves nothing; the editor calls it as the marketer types
/// to show every preview with its findings.
/// </summary>
public static class RenderApi
{
    /// <summary>A little over the renderer's own body limit, so an over-long body gets the renderer's clear message, not a bare 413.</summary>
    public const long MaxRequestBytes = 8 * 1024 * 1024;

    public sealed record MessageFields(
        string? Title, string? Body, string? Summary, string? Link, string? CallToAction,
        List<string>? Hashtags, List<string>? KeyFacts, Guid? CampaignId, bool? Sponsored = null);

    /// <param name="Edits">Hand-written text per account id: that variant is checked (and counted) as edited, like a saved manual edit.</param>
    /// <param name="Accepted">Finding keys accepted per account id, so accepted warnings show as accepted.</param>
    /// <param name="MessageId">The saved message being edited, if any: its author is the byline, as when it is saved.</param>
    public sealed record RenderRequest(MessageFields? Message, List<string>? Channels, List<Guid>? AccountIds,
        Dictionary<Guid, string>? Edits = null, Dictionary<Guid, List<string>>? Accepted = null, Guid? MessageId = null);

    public static void MapRenderApi(this RouteGroupBuilder api)
    {
        api.MapPost("/render", async ([FromBody] RenderRequest request, PublisherDbContext db, VariantRenderer renderer, VariantComposer composer, HttpContext http) =>
        {
            if (request.Message is null)
                return Results.Problem(statusCode: 400, title: "No message", detail: "Send the message fields under \"message\".");

            var context = await composer.LoadContextAsync(http.RequestAborted);
            var targets = new List<(ChannelSettings Settings, Guid? AccountId, string? AccountName)>();
            foreach (var name in request.Channels ?? [])
            {
                if (!Enum.TryParse<ChannelKind>(name, ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
                    return Results.Problem(statusCode: 400, title: "Unknown channel",
                        detail: $"'{name}' is not a channel kind. Use one of: {string.Join(", ", Enum.GetNames<ChannelKind>())}.");
                targets.Add((ChannelSettings.For(kind) with { TemplateSource = context.Templates.GetValueOrDefault(kind) }, null, null));
            }
            if (request.AccountIds is { Count: > 0 } ids)
            {
                // A saved message's variants preview their own tracked links; a new one's get placeholders of the same length.
                var variantIds = request.MessageId is { } savedId
                    ? await db.Variants.Where(v => v.MessageId == savedId).ToDictionaryAsync(v => v.ChannelAccountId, v => v.Id)
                    : [];
                var accounts = await db.ChannelAccounts.Where(a => ids.Contains(a.Id)).ToListAsync();
                var missing = ids.Except(accounts.Select(a => a.Id)).ToList();
                if (missing.Count > 0)
                    return Results.Problem(statusCode: 400, title: "Unknown channel account", detail: $"No channel account has the id {missing[0]}.");
                foreach (var account in accounts.OrderBy(a => ids.IndexOf(a.Id)))
                {
                    if (!Enum.TryParse<ChannelKind>(account.Kind, out var kind) || !Enum.IsDefined(kind))
                        return Results.Problem(statusCode: 400, title: "Unsupported channel account", detail: $"{account.Name} has the unknown kind '{account.Kind}'.");
                    targets.Add((VariantComposer.ToChannelSettings(account, context, variantIds.GetValueOrDefault(account.Id)), account.Id, account.Name));
                }
            }
            if (targets.Count == 0)
                return Results.Problem(statusCode: 400, title: "No channels", detail: "Name at least one channel kind in \"channels\" or account in \"accountIds\".");

            var campaign = request.Message.CampaignId is { } campaignId
                ? await db.Campaigns.Where(c => c.Id == campaignId).Select(c => new CampaignInput(c.Name, c.UtmCampaign)).FirstOrDefaultAsync()
                : null;
            // The byline credits the message's author whoever is editing, as MessageWriter does when it saves.
            var author = request.MessageId is { } messageId
                ? await db.Messages.Where(x => x.Id == messageId).Join(db.Users, x => x.AuthorId, u => u.Id, (_, u) => u.DisplayName).FirstOrDefaultAsync()
                : null;
            var m = request.Message;
            var message = new MessageInput
            {
                Title = m.Title ?? "", BodyMarkdown = m.Body ?? "", Summary = m.Summary, Link = m.Link, CallToAction = m.CallToAction,
                Hashtags = m.Hashtags ?? [], KeyFacts = m.KeyFacts ?? [], Author = author ?? http.User.DisplayName(),
            };

            var variants = targets.Select(t =>
            {
                var rendered = renderer.Render(message, context.Brand, campaign, t.Settings, http.RequestAborted);
                var edit = t.AccountId is { } id ? request.Edits?.GetValueOrDefault(id) : null;
                var accepted = t.AccountId is { } aid ? request.Accepted?.GetValueOrDefault(aid) ?? [] : [];
                // Linted as VariantComposer.Check lints a saved variant, so the preview's findings are the ones the approver will see.
                var lint = context.CompiledGuide.Lint(new LintInput
                {
                    Channel = t.Settings.Kind.ToString(),
                    Title = message.Title,
                    Subject = rendered.Subject,
                    Body = edit ?? rendered.Text,
                    Link = rendered.Link ?? message.Link,
                    CallToAction = message.CallToAction,
                    KeyFacts = message.KeyFacts,
                    Sponsored = m.Sponsored == true,
                }).WithAcceptedWarnings(accepted);
                return Describe(rendered, t.AccountId, t.AccountName, lint, edit);
            }).ToList();
            return Results.Ok(new { variants, guideVersion = context.CompiledGuide.Version });
        })
        .RequireAuthorization(Policies.Author)
        .WithMetadata(new RequestSizeLimitAttribute(MaxRequestBytes));
    }

    private static object Describe(RenderedVariant v, Guid? accountId, string? accountName, LintResult lint, string? edit) => new
    {
        kind = v.Kind.ToString(),
        accountId,
        accountName,
        success = v.Success,
        text = v.Text,
        edited = edit is not null,
        editText = edit,
        html = v.Html,
        subject = v.Subject,
        preheader = v.Preheader,
        link = v.Link,
        links = v.Links.Select(l => new { shortUrl = l.ShortUrl, destination = l.Destination }),
        feedEntry = v.FeedEntry,
        jsonPayload = v.JsonPayload,
        // A hand edit is counted as written, by the same network rule.
        count = (edit is null ? v.Count : ChannelCounter.Count(v.Kind, edit)) is var c
            ? new { used = c.Used, limit = c.Limit, unit = c.Unit, overLimit = c.IsOverLimit } : null,
        parts = v.Parts.Select(p => new
        {
            text = p.Text,
            count = new { used = p.Count.Used, limit = p.Count.Limit, unit = p.Count.Unit },
            facets = p.Facets.Select(f => new { type = f.FeatureType, byteStart = f.ByteStart, byteEnd = f.ByteEnd, value = f.Value }),
        }),
        facets = v.Facets.Select(f => new { type = f.FeatureType, byteStart = f.ByteStart, byteEnd = f.ByteEnd, value = f.Value }),
        diagnostics = v.Diagnostics.Select(d => new { severity = d.Severity.ToString().ToLowerInvariant(), code = d.Code, message = d.Message, line = d.Line, column = d.Column }),
        score = lint.Score,
        findings = lint.Findings.Select(f => new
        {
            ruleId = f.RuleId, severity = f.Severity.ToString().ToLowerInvariant(), message = f.Message, field = f.Field,
            start = f.Start, length = f.Length, matchedText = f.MatchedText, fix = f.Fix, key = f.Key, accepted = f.Accepted,
        }),
    };
}
