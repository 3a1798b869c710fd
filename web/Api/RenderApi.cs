using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.StyleGuide;
using Publisher.Templates.Bluesky;
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
                var variantIds = request.MessageId is { } editedMessageId
                    ? await db.Variants.Where(v => v.MessageId == editedMessageId).ToDictionaryAsync(v => v.ChannelAccountId, v => v.Id)
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

            // An edited variant's stored facets hold the addresses of the links its text shows shortened.
            var storedFacets = request.MessageId is { } savedId && request.Edits is { Count: > 0 }
                ? await db.Variants.Where(v => v.MessageId == savedId).Select(v => new { v.ChannelAccountId, v.FacetsJson }).ToDictionaryAsync(v => v.ChannelAccountId, v => v.FacetsJson)
                : [];
            var variants = targets.Select(t =>
            {
                var rendered = renderer.Render(message, context.Brand, campaign, t.Settings, http.RequestAborted);
                var edit = t.AccountId is { } id ? request.Edits?.GetValueOrDefault(id) : null;
                var accepted = t.AccountId is { } aid ? request.Accepted?.GetValueOrDefault(aid) ?? [] : [];
                var known = ChannelText.KnownLinks(rendered).ToList();
                // A hand edit is measured, threaded and given facets as VariantComposer does when it is saved.
                MeasuredText? measured = null;
                if (edit is not null)
                {
                    known.AddRange(ChannelText.KnownLinks(t.AccountId is { } eid ? storedFacets.GetValueOrDefault(eid) : null));
                    measured = ChannelText.MeasureEdit(t.Settings.Kind, t.Settings.AllowThreads, edit, known);
                }
                var body = measured?.Text ?? rendered.Text;
                // Linted as VariantComposer.Check lints a saved variant, so the preview's findings are the ones the approver will see.
                var lint = context.CompiledGuide.Lint(new LintInput
                {
                    Channel = t.Settings.Kind.ToString(),
                    Title = message.Title,
                    Subject = rendered.Subject,
                    Body = body,
                    Link = rendered.Link ?? message.Link,
                    CallToAction = message.CallToAction,
                    KeyFacts = message.KeyFacts,
                    Sponsored = m.Sponsored == true,
                    NonProse = ChannelText.NonProse(t.Settings.Kind, message.Title, rendered.Subject, body, known),
                }).WithAcceptedWarnings(accepted);
                return Describe(rendered, t.AccountId, t.AccountName, lint, measured);
            }).ToList();
            return Results.Ok(new { variants, guideVersion = context.CompiledGuide.Version });
        })
        .RequireAuthorization(Policies.Author)
        .WithMetadata(new RequestSizeLimitAttribute(MaxRequestBytes));
    }

    private static object Describe(RenderedVariant v, Guid? accountId, string? accountName, LintResult lint, MeasuredText? edit)
    {
        // What goes out: the edit as measured (Bluesky links shortened, threaded when allowed), or the rendering.
        var text = edit?.Text ?? v.Text;
        var parts = edit?.Parts ?? v.Parts;
        var count = edit?.Count ?? v.Count;
        var diagnostics = edit is null ? v.Diagnostics : v.Diagnostics.Where(d => d.Code != "variant.too-long").Concat(edit.Diagnostics).ToList();
        var facets = edit is null ? v.Facets : edit.IsThread ? [] : edit.Parts[0].Facets;
        var entities = ChannelText.Entities(v.Kind, [text, .. parts.Select(p => p.Text)], [facets, .. parts.Select(p => p.Facets)]);
        // A thread is measured part by part: each post against the limit, the whole is no error.
        var threaded = parts.Count > 1;
        return new
        {
            kind = v.Kind.ToString(),
            accountId,
            accountName,
            success = !diagnostics.Any(d => d.Severity == Publisher.Templates.Diagnostics.DiagnosticSeverity.Error),
            text = v.Text,
            edited = edit is not null,
            editText = edit?.Text,
            html = v.Html,
            subject = v.Subject,
            preheader = v.Preheader,
            link = v.Link,
            links = v.Links.Select(l => new { shortUrl = l.ShortUrl, destination = l.Destination }),
            feedEntry = v.FeedEntry,
            jsonPayload = v.JsonPayload,
            count = new
            {
                used = count.Used, limit = count.Limit, unit = count.Unit, threaded,
                overLimit = threaded ? parts.Any(p => p.Count.IsOverLimit) : count.IsOverLimit,
            },
            parts = parts.Select((p, i) => new
            {
                text = p.Text,
                count = new { used = p.Count.Used, limit = p.Count.Limit, unit = p.Count.Unit, overLimit = p.Count.IsOverLimit },
                facets = p.Facets.Select(Facet),
                entities = entities[i + 1].Select(Entity),
            }),
            facets = facets.Select(Facet),
            // The ranges (UTF-16, in the text shown) that the network links: what previews colour.
            entities = entities[0].Select(Entity),
            diagnostics = diagnostics.Select(d => new { severity = d.Severity.ToString().ToLowerInvariant(), code = d.Code, message = d.Message, line = d.Line, column = d.Column }),
            score = lint.Score,
            findings = lint.Findings.Select(f => new
            {
                ruleId = f.RuleId, severity = f.Severity.ToString().ToLowerInvariant(), message = f.Message, field = f.Field,
                start = f.Start, length = f.Length, matchedText = f.MatchedText, fix = f.Fix, key = f.Key, accepted = f.Accepted,
            }),
        };
    }

    private static object Facet(BlueskyFacet f) => new { type = f.FeatureType, byteStart = f.ByteStart, byteEnd = f.ByteEnd, value = f.Value };

    private static object Entity(PostEntity e) => new { type = e.Kind.ToString().ToLowerInvariant(), start = e.Start, end = e.End, value = e.Value };
}
