using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Media;
using Publisher.Core.Publishing;
using Microsoft.Extensions.Options;
using Publisher.Web.Pages.Messages;
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
        Dictionary<Guid, string>? Edits = null, Dictionary<Guid, List<string>>? Accepted = null, Guid? MessageId = null, List<MediaField>? Media = null);

    /// <summary>One attachment as the editor holds it: the library asset, its alt text and focal point.</summary>
    public sealed record MediaField(Guid AssetId, string? AltText, double? FocalX, double? FocalY);

    public static void MapRenderApi(this RouteGroupBuilder api)
    {
        api.MapPost("/render", async ([FromBody] RenderRequest request, PublisherDbContext db, VariantRenderer renderer, VariantComposer composer, MediaLibrary library, IOptions<PublishingOptions> publishing, PreviewDocuments documents, HttpContext http) =>
        {
            if (request.Message is null)
                return Results.Problem(statusCode: 400, title: "No message", detail: "Send the message fields under \"message\".");
            var m = request.Message;
            // The same limits as the editor and the CSV import; the body's own limit comes back as the renderer's error on each variant.
            var tooLong = MessageLimits.Check(new MessageLimits.Fields(m.Title, null, m.Summary, m.Link, m.CallToAction, m.Hashtags ?? [], m.KeyFacts ?? []));
            if (tooLong.Count > 0)
                return Results.ValidationProblem(tooLong.GroupBy(e => JsonName(e.Field)).ToDictionary(g => g.Key, g => g.Select(e => e.Error).ToArray()),
                    title: "A field is too long", detail: string.Join(" ", tooLong.Select(e => e.Error)));
            if (request.Edits?.FirstOrDefault(e => e.Value.Length > MessageLimits.Body) is { Value: not null } longEdit)
                return Results.Problem(statusCode: 400, title: "An edit is too long", detail: $"The edit for {longEdit.Key} is {longEdit.Value.Length:N0} characters; the most is {MessageLimits.Body:N0}.");

            // Each channel and account once: a list that repeats them only multiplies the work and the answer.
            var channels = request.Channels ?? [];
            if (channels.GroupBy(c => c.Trim(), StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } repeatedKind)
                return Results.Problem(statusCode: 400, title: "A channel is named twice", detail: $"'{repeatedKind.Key}' is in \"channels\" {repeatedKind.Count()} times: name each channel once.");
            var ids = request.AccountIds ?? [];
            if (ids.GroupBy(id => id).FirstOrDefault(g => g.Count() > 1) is { } repeatedAccount)
                return Results.Problem(statusCode: 400, title: "An account is named twice", detail: $"The account {repeatedAccount.Key} is in \"accountIds\" {repeatedAccount.Count()} times: name each account once.");

            var context = await composer.LoadContextAsync(http.RequestAborted);
            var targets = new List<(ChannelSettings Settings, Guid? AccountId, string? AccountName, ChannelAccount Account)>();
            foreach (var name in channels)
            {
                if (!Enum.TryParse<ChannelKind>(name, ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
                    return Results.Problem(statusCode: 400, title: "Unknown channel",
                        detail: $"'{name}' is not a channel kind. Use one of: {string.Join(", ", Enum.GetNames<ChannelKind>())}.");
                targets.Add((ChannelSettings.For(kind) with { TemplateSource = context.Templates.GetValueOrDefault(kind) }, null, null, new ChannelAccount { Name = kind.ToString(), Kind = kind.ToString() }));
            }
            if (ids.Count > 0)
            {
                // More accounts than the brand has can only be repeats or strangers: refused before any query.
                var brandAccounts = await db.ChannelAccounts.CountAsync(http.RequestAborted);
                if (ids.Count > brandAccounts)
                    return Results.Problem(statusCode: 400, title: "Too many accounts", detail: $"\"accountIds\" names {ids.Count} accounts; the brand has {brandAccounts}.");
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
                    targets.Add((VariantComposer.ToChannelSettings(account, context, variantIds.GetValueOrDefault(account.Id)), account.Id, account.Name, account));
                }
            }
            if (targets.Count == 0)
                return Results.Problem(statusCode: 400, title: "No channels", detail: "Name at least one channel kind in \"channels\" or account in \"accountIds\".");

            var campaign = m.CampaignId is { } campaignId
                ? await db.Campaigns.Where(c => c.Id == campaignId).Select(c => new CampaignInput(c.Name, c.UtmCampaign)).FirstOrDefaultAsync()
                : null;
            // The byline credits the message's author whoever is editing, as MessageWriter does when it saves.
            var author = request.MessageId is { } messageId
                ? await db.Messages.Where(x => x.Id == messageId).Join(db.Users, x => x.AuthorId, u => u.Id, (_, u) => u.DisplayName).FirstOrDefaultAsync()
                : null;
            var message = new MessageInput
            {
                Title = m.Title ?? "", BodyMarkdown = m.Body ?? "", Summary = m.Summary, Link = m.Link, CallToAction = m.CallToAction,
                Hashtags = m.Hashtags ?? [], KeyFacts = m.KeyFacts ?? [], Author = author ?? http.User.DisplayName(),
            };

            // An edited variant's stored facets hold the addresses of the links its text shows shortened.
            var storedFacets = request.MessageId is { } editedId && request.Edits is { Count: > 0 }
                ? await db.Variants.Where(v => v.MessageId == editedId).Select(v => new { v.ChannelAccountId, v.FacetsJson }).ToDictionaryAsync(v => v.ChannelAccountId, v => v.FacetsJson)
                : [];
            // The attachments as the editor holds them, planned for each channel as saving would plan them.
            var transient = new Message { Title = message.Title, AuthorId = "", TimeZone = "UTC" };
            var assetIds = (request.Media ?? []).Select(a => a.AssetId).Distinct().Take(MessageForm.MaxMedia).ToList();
            var assets = await db.MediaAssets.Where(a => assetIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id);
            foreach (var field in (request.Media ?? []).Where(f => assets.ContainsKey(f.AssetId)).DistinctBy(f => f.AssetId).Take(MessageForm.MaxMedia))
                transient.Media.Add(new MessageMedia
                {
                    MediaAssetId = field.AssetId, Asset = assets[field.AssetId], Position = transient.Media.Count, AltText = field.AltText,
                    FocalX = field.FocalX is { } x && double.IsFinite(x) ? Math.Clamp(x, 0, 1) : null, FocalY = field.FocalY is { } y && double.IsFinite(y) ? Math.Clamp(y, 0, 1) : null,
                });
            // A saved variant's hand-made choice (attachment ids) is matched to the editor's attachments by asset.
            var choices = request.MessageId is { } savedId
                ? (await db.Variants.Where(v => v.MessageId == savedId && v.MediaChoice != null).Select(v => new { v.ChannelAccountId, v.MediaChoice }).ToListAsync())
                    .ToDictionary(v => v.ChannelAccountId, v => v.MediaChoice!)
                : [];
            var chosenAssets = choices.Count == 0 ? [] : await db.MessageMedia.Where(m => m.MessageId == request.MessageId).ToDictionaryAsync(m => m.Id, m => m.MediaAssetId);
            var planned = new List<Variant>();
            foreach (var t in targets)
            {
                var variant = new Variant();
                if (t.AccountId is { } chosenFor && choices.TryGetValue(chosenFor, out var choice))
                {
                    var wanted = choice.Select(id => chosenAssets.GetValueOrDefault(id)).ToHashSet();
                    variant.MediaChoice = transient.Media.Where(m => wanted.Contains(m.MediaAssetId)).Select(m => m.Id).ToList();
                }
                if (transient.Media.Count > 0 && composer.MediaRulesFor(t.Account) is { } rules)
                    variant.Media = await library.PlanAsync(variant, transient, rules, http.RequestAborted);
                planned.Add(variant);
            }
            // Derivatives made for a new focal point are a cache worth keeping; nothing else is saved.
            if (db.ChangeTracker.HasChanges())
                await db.SaveChangesAsync();
            var publicUrl = publishing.Value.PublicUrl;

            // One budget for the whole request: every variant draws its output and time from it, and the
            // message's Markdown is read once for all of them.
            var budget = new RenderBudget(renderer.Limits);
            var renders = renderer.RenderAll(message, context.Brand, campaign,
                targets.Select((t, index) => t.Settings with { Media = VariantComposer.ToMediaInputs(planned[index].Media, publicUrl) }), http.RequestAborted, budget);
            var variants = targets.Select((t, index) =>
            {
                var variantMedia = planned[index].Media;
                var rendered = renders[index];
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
                    Link = VariantComposer.RequiredLink(body, rendered.Link, message.Link),
                    CallToAction = message.CallToAction,
                    KeyFacts = message.KeyFacts,
                    Sponsored = m.Sponsored == true,
                    NonProse = ChannelText.NonProse(t.Settings.Kind, message.Title, rendered.Subject, body, known),
                    AltTexts = variantMedia.Select(x => (string?)x.AltText).ToList(),
                }).WithAcceptedWarnings(accepted);
                var mediaProblems = composer.MediaDiagnostics(planned[index], t.Account).ToList();
                // A hand edit replaces the text only, so its preview is that text, not the template's HTML.
                var htmlUrl = edit is null && rendered.Html is { Length: > 0 } html ? documents.Store(html) : null;
                return Describe(rendered with { Diagnostics = rendered.Diagnostics.Concat(mediaProblems).ToList() }, t.AccountId, t.AccountName, lint, measured,
                    variantMedia, VariantComposer.ToMediaInputs(variantMedia, ""), htmlUrl);
            }).ToList();
            return Results.Json(new { variants, guideVersion = context.CompiledGuide.Version }, AnswerJson);
        })
        .RequireAuthorization(Policies.Author)
        .WithMetadata(new RequestSizeLimitAttribute(MaxRequestBytes));

        api.MapGet("/render/html/{key}", (string key, PreviewDocuments documents, HttpContext http) =>
                documents.Find(key) is { } html ? PreviewDocuments.Serve(http, html) : Results.NotFound())
            .RequireAuthorization(Policies.Author);
    }

    /// <summary>
    /// The answer carries HTML for a page's script to read, not to embed in HTML: escaping every &lt; and &gt; as
    /// \u003C would make it up to six times larger than the variants themselves.
    /// </summary>
    private static readonly System.Text.Json.JsonSerializerOptions AnswerJson = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string JsonName(MessageLimits.Field field) => field switch
    {
        MessageLimits.Field.CallToAction => "callToAction",
        MessageLimits.Field.KeyFacts => "keyFacts",
        _ => field.ToString().ToLowerInvariant(),
    };

    private static object Describe(RenderedVariant v, Guid? accountId, string? accountName, LintResult lint, MeasuredText? edit, IReadOnlyList<VariantMedia> planned, IReadOnlyList<MediaInput> media, string? htmlUrl)
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
            // Relative addresses: the editor shows them from this app whatever the public address is.
            media = media.Select((x, i) => new
            {
                kind = x.Kind, url = x.Url, alt = x.Alt, width = x.Width, height = x.Height, contentType = x.ContentType, posterUrl = x.PosterUrl, sha256 = x.Sha256,
                focalX = planned[i].FocalX, focalY = planned[i].FocalY,
            }),
            kind = v.Kind.ToString(),
            accountId,
            accountName,
            success = !diagnostics.Any(d => d.Severity == Publisher.Templates.Diagnostics.DiagnosticSeverity.Error),
            text = v.Text,
            edited = edit is not null,
            editText = edit?.Text,
            html = v.Html,
            htmlUrl,
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
                highlights = f.Highlights.Select(h => new { start = h.Start, length = h.Length, text = h.Text }),
            }),
        };
    }

    private static object Facet(BlueskyFacet f) => new { type = f.FeatureType, byteStart = f.ByteStart, byteEnd = f.ByteEnd, value = f.Value };

    private static object Entity(PostEntity e) => new { type = e.Kind.ToString().ToLowerInvariant(), start = e.Start, end = e.End, value = e.Value };
}
