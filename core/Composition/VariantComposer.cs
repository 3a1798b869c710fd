using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Publisher.Analytics.Links;
using Publisher.Core.Analytics;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;
using Publisher.StyleGuide;
using Publisher.Templates.Channels;
using Publisher.Templates.Counting;
using Publisher.Templates.Diagnostics;
using DiagnosticSeverity = Publisher.Templates.Diagnostics.DiagnosticSeverity;
using Diagnostic = Publisher.Templates.Diagnostics.Diagnostic;
using Publisher.Templates.Model;
using Publisher.Templates.Rendering;

namespace Publisher.Core.Composition;

/// <summary>
/// Turns a message into its channel variants: renders each with the channel's current template, checks
/// what would go out against the current style guide, and writes the result onto the variant. The web
/// app (editing) and the worker (re-checking before publishing) both use it.
/// </summary>
/// <remarks><paramref name="publicUrl"/> is where the app is reached; the blog's addresses are built from it.</remarks>
public sealed class VariantComposer(PublisherDbContext db, VariantRenderer renderer, StyleGuideLinter linter, string? publicUrl = null,
    Media.ChannelMediaRulesSource? mediaRules = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<CompositionContext> LoadContextAsync(CancellationToken cancellationToken = default)
    {
        var brand = await db.Brands.OrderBy(b => b.Id).FirstOrDefaultAsync(cancellationToken);
        var templates = await db.ChannelTemplateVersions
            .GroupBy(t => t.Kind)
            .Select(g => g.OrderByDescending(t => t.Number).First())
            .ToListAsync(cancellationToken);
        var guide = await CurrentGuideAsync(cancellationToken);
        var linkKey = await db.AnalyticsSettings.Where(s => s.Id == AnalyticsSettings.SingletonId).Select(s => s.LinkKey).FirstOrDefaultAsync(cancellationToken);

        var byKind = new Dictionary<ChannelKind, string>();
        foreach (var t in templates)
        {
            if (Enum.TryParse<ChannelKind>(t.Kind, out var kind))
                byKind[kind] = t.Source;
        }
        var links = publicUrl is not null && linkKey is { Length: >= 16 } ? new LinkMaking(publicUrl.TrimEnd('/'), linkKey) : null;
        return new CompositionContext(ToBrandInput(brand, guide) with
        {
            BlogUrl = publicUrl is null ? null : publicUrl.TrimEnd('/') + "/blog",
            MediaBaseUrl = publicUrl is null ? null : publicUrl.TrimEnd('/') + "/media/",
        }, byKind, guide, linter.Compile(guide), brand?.TimeZone ?? "UTC", links);
    }

    /// <summary>
    /// The current guide, parsed once per version: the editor asks for it on every keystroke, and parsing
    /// the YAML costs milliseconds where reading its hash costs a tiny query.
    /// </summary>
    public async Task<BrandStyleGuide> CurrentGuideAsync(CancellationToken cancellationToken = default)
    {
        var hash = await db.StyleGuideVersions.OrderByDescending(g => g.Number).Select(g => g.VersionHash).FirstOrDefaultAsync(cancellationToken);
        if (hash is null)
            return BrandStyleGuide.Empty;
        if (s_lastGuide is { } cached && cached.Hash == hash)
            return cached.Guide;
        var yaml = await db.StyleGuideVersions.Where(g => g.VersionHash == hash).OrderByDescending(g => g.Number).Select(g => g.Yaml).FirstAsync(cancellationToken);
        // A stored guide was validated when it was saved; should it still not parse, check against nothing
        // rather than fail every edit, and let the style guide page show the problem.
        var guide = StyleGuideYaml.Parse(yaml).Guide ?? BrandStyleGuide.Empty;
        s_lastGuide = new ParsedGuide(hash, guide);
        return guide;
    }

    // A reference, so readers on other threads see a whole pair or the previous one, never half of each.
    private sealed record ParsedGuide(string Hash, BrandStyleGuide Guide);

    private static volatile ParsedGuide? s_lastGuide;

    public static MessageInput ToMessageInput(Message message, string? authorName) => new()
    {
        Id = message.Id.ToString(),
        Title = message.Title,
        BodyMarkdown = message.BodyMarkdown,
        Summary = message.Summary,
        Link = message.Link,
        CallToAction = message.CallToAction,
        Hashtags = message.Hashtags,
        KeyFacts = message.KeyFacts,
        Author = authorName,
        PublishAt = message.PlannedAt,
    };

    /// <summary>
    /// How <paramref name="account"/> wants its variants rendered. Its tracked links get codes of the variant
    /// <paramref name="variantId"/> (a preview of a message not saved yet passes none: its codes are placeholders of
    /// the same length, so its counts are right).
    /// </summary>
    public static ChannelSettings ToChannelSettings(ChannelAccount account, CompositionContext context, Guid? variantId = null)
    {
        var kind = ParseKind(account.Kind);
        return new ChannelSettings
        {
            Kind = kind,
            AllowThreads = account.AllowThreads,
            TemplateSource = context.Templates.GetValueOrDefault(kind),
            Utm = account.UtmEnabled
                ? new UtmSettings { Source = NullIfBlank(account.UtmSource), Medium = NullIfBlank(account.UtmMedium), Content = NullIfBlank(account.UtmContent) }
                : UtmSettings.Off,
            ShortenLink = account.TrackLinks && context.Links is { } making
                ? destination => LinkCodes.ShortUrl(making.PublicUrl, LinkCodes.For(making.Key, variantId ?? Guid.Empty, destination))
                : null,
        };
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static ChannelKind ParseKind(string kind) =>
        Enum.TryParse<ChannelKind>(kind, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new InvalidOperationException($"The channel kind '{kind}' is not one Publisher knows.");

    /// <summary>
    /// Renders <paramref name="message"/> for the variant <paramref name="variantId"/> on <paramref name="account"/>;
    /// <paramref name="media"/> are the variant's media, which hosted channels' templates place.
    /// </summary>
    public RenderedVariant Render(CompositionContext context, Guid variantId, Message message, ChannelAccount account, CampaignInput? campaign, string? authorName,
        CancellationToken cancellationToken = default, IReadOnlyList<VariantMedia>? media = null) =>
        renderer.Render(ToMessageInput(message, authorName), context.Brand, campaign,
            ToChannelSettings(account, context, variantId) with { Media = ToMediaInputs(media ?? [], publicUrl) }, cancellationToken);

    /// <summary>The media rules of the account's channel (a Mastodon account's own instance's, once read); null when its kind has none.</summary>
    public Publisher.Media.Rules.ChannelMediaRules? MediaRulesFor(ChannelAccount account) =>
        mediaRules?.For(account) ?? Publisher.Media.Rules.ChannelMediaTable.For(account.Kind);

    /// <summary>The variant's media as templates see them, with the addresses Publisher serves them at.</summary>
    public static IReadOnlyList<MediaInput> ToMediaInputs(IReadOnlyList<VariantMedia> media, string? publicUrl)
    {
        var root = publicUrl ?? "";
        return media.OrderBy(m => m.Position).Select(m =>
        {
            var video = m.Kind == Publisher.Media.MediaKind.Video;
            var imageName = video ? Media.MediaLibrary.ServedName(m.FileName, Publisher.Media.MediaTypes.Jpeg) : m.FileName;
            var sources = m.Sources.Select(s => s.Split(':', 2)).Where(p => p.Length == 2 && int.TryParse(p[0], out _))
                .Select(p => new MediaSource(int.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture), Media.MediaLibrary.Url(root, p[1], imageName)))
                .OrderBy(x => x.Width).ToList();
            return new MediaInput
            {
                Kind = m.Kind switch { Publisher.Media.MediaKind.Video => "video", Publisher.Media.MediaKind.AnimatedGif => "animated_gif", _ => "image" },
                Url = Media.MediaLibrary.Url(root, m.Key, m.FileName),
                Alt = m.AltText,
                Width = m.Width,
                Height = m.Height,
                ContentType = m.ContentType,
                Sha256 = m.Key,
                Bytes = m.Length,
                Sources = sources,
                PosterUrl = m.PosterKey is { } poster ? Media.MediaLibrary.Url(root, poster, imageName) : null,
                DurationSeconds = m.DurationSeconds,
            };
        }).ToList();
    }

    /// <summary>What of the variant's media its channel cannot take: errors found while writing, never at publish time.</summary>
    public IEnumerable<Diagnostic> MediaDiagnostics(Variant variant, ChannelAccount account)
    {
        if (variant.Media.Count == 0)
            yield break;
        var rules = MediaRulesFor(account);
        if (rules is null)
        {
            yield return Diagnostic.Error("media.not-taken", $"{account.Name} takes no images or videos: leave them out of this variant.");
            yield break;
        }
        var items = variant.Media.OrderBy(m => m.Position).Select(m => new Publisher.Media.Rules.FitItem(m.Kind, m.ContentType, m.Length, m.Width, m.Height,
            m.DurationSeconds is { } d ? TimeSpan.FromSeconds(d) : null, m.VideoCodec, m.AltText, m.FileName)).ToList();
        foreach (var problem in Publisher.Media.Rules.MediaFit.Check(rules, items))
            yield return Diagnostic.Error(problem.Code, problem.Message);
    }

    /// <summary>
    /// Writes a fresh rendering onto the variant and checks what goes out. A hand-edited variant keeps
    /// its edit (its count and thread are taken from the edit); it only learns the new rendering, so the
    /// editor can show the difference; a link typed into the edit is tracked like the rendering's. Returns true when
    /// what would be published changed.
    /// </summary>
    public bool Apply(CompositionContext context, Variant variant, Message message, ChannelAccount account, RenderedVariant rendered, IEnumerable<string> acceptedWarningKeys)
    {
        var before = variant.ContentHash;
        variant.RenderedText = rendered.Text;
        variant.RenderedHtml = rendered.Html;
        variant.Subject = rendered.Subject;
        variant.Preheader = rendered.Preheader;
        variant.Link = rendered.Link;
        variant.JsonPayload = rendered.JsonPayload;
        variant.FeedEntry = rendered.FeedEntry;
        var diagnostics = rendered.Diagnostics.ToList();
        var links = rendered.Links;
        // Rendered from the message as it is now: its stored fingerprint is what hand edits are compared with.
        message.Fingerprint = MessageFingerprint.Of(message);

        if (variant.ManualOverride is null)
        {
            variant.SourceMessageHash = message.Fingerprint;
            variant.ThreadParts = rendered.IsThread ? rendered.Parts.Select(p => p.Text).ToList() : [];
            variant.CountUsed = rendered.Count.Used;
            variant.CountLimit = rendered.Count.Limit;
            variant.FacetsJson = ChannelText.FacetsJson(rendered.Parts.Count > 0 ? rendered.Parts.Select(p => p.Facets) : [rendered.Facets]);
        }
        else
        {
            links = TrackEditLinks(context, variant, message, account, rendered);
            diagnostics = diagnostics.Where(d => d.Code != "variant.too-long").ToList();
            diagnostics.AddRange(MeasureEdit(variant, account, rendered));
            // A Bluesky edit shows its links in short form: the facets hold the short links it carries.
            links = links.Concat(rendered.Links.Where(l => variant.FacetsJson?.Contains(l.ShortUrl, StringComparison.Ordinal) == true))
                .DistinctBy(l => l.ShortUrl).ToList();
        }
        variant.LinksJson = links.Count == 0 ? null : JsonSerializer.Serialize(
            links.Select(l => new VariantLink(l.ShortUrl[(l.ShortUrl.LastIndexOf('/') + 1)..], l.ShortUrl, l.Destination)), Json);
        diagnostics.AddRange(MediaDiagnostics(variant, account));

        variant.RenderDiagnosticsJson = JsonSerializer.Serialize(diagnostics.Select(d => new
        {
            severity = d.Severity.ToString().ToLowerInvariant(), code = d.Code, message = d.Message, line = d.Line, column = d.Column,
        }), Json);
        variant.HasRenderErrors = diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

        Check(context, variant, message, account, acceptedWarningKeys);
        variant.ContentHash = ContentHash.Of(variant);
        return before != variant.ContentHash;
    }

    /// <summary>
    /// The tracked links of a hand-edited variant: links typed into the edit become short links (the edit is saved
    /// with them), short links of the rendering kept in the edit stay, and the HTML (email, blog) keeps its own.
    /// </summary>
    private static IReadOnlyList<TrackedLinkUse> TrackEditLinks(CompositionContext context, Variant variant, Message message, ChannelAccount account, RenderedVariant rendered)
    {
        var settings = ToChannelSettings(account, context, variant.Id);
        if (settings.ShortenLink is null)
            return [];
        var campaign = message.Campaign is { } c ? new CampaignInput(c.Name, c.UtmCampaign) : null;
        var (text, inEdit) = TrackedLinks.InText(variant.ManualOverride!, settings, campaign, rendered.Links);
        variant.ManualOverride = text;
        var inHtml = rendered.Links.Where(l => rendered.Html?.Contains(l.ShortUrl, StringComparison.Ordinal) == true
            || rendered.JsonPayload?.Contains(l.ShortUrl, StringComparison.Ordinal) == true
            || (rendered.Kind == ChannelKind.FacebookPage && rendered.Link == l.ShortUrl));
        return inEdit.Concat(inHtml).DistinctBy(l => l.ShortUrl).ToList();
    }

    /// <summary>
    /// The link the guide's required-link rule looks for in a text: the variant's tracked short link when the text
    /// carries it, otherwise the message's own address. A hand edit that keeps the message's address (one the tracker
    /// could not rewrite, such as a host without a public suffix) still has its link, and a text that lacks both is
    /// told to add the address its author knows, which is tracked when saved.
    /// </summary>
    public static string? RequiredLink(string text, string? variantLink, string? messageLink) =>
        variantLink is { Length: > 0 } tracked && text.Contains(tracked, StringComparison.Ordinal) ? tracked : messageLink ?? variantLink;

    /// <summary>Checks what would go out against the guide and records the findings, score and guide version.</summary>
    public LintResult Check(CompositionContext context, Variant variant, Message message, ChannelAccount account, IEnumerable<string> acceptedWarningKeys)
    {
        var result = context.CompiledGuide.Lint(new LintInput
        {
            Channel = account.Kind,
            Title = message.Title,
            Subject = variant.Subject,
            Body = variant.EffectiveText,
            Link = RequiredLink(variant.EffectiveText, variant.Link, message.Link),
            CallToAction = message.CallToAction,
            KeyFacts = message.KeyFacts,
            Sponsored = message.IsSponsored,
            NonProse = ChannelText.NonProse(ParseKind(account.Kind), message.Title, variant.Subject, variant.EffectiveText, ChannelText.KnownLinks(variant.FacetsJson)),
            AltTexts = variant.Media.OrderBy(m => m.Position).Select(m => (string?)m.AltText).ToList(),
        }).WithAcceptedWarnings(acceptedWarningKeys);

        variant.StyleFindingsJson = JsonSerializer.Serialize(result.Findings.Select(f => new
        {
            ruleId = f.RuleId, severity = f.Severity.ToString().ToLowerInvariant(), message = f.Message, field = f.Field,
            start = f.Start, length = f.Length, matchedText = f.MatchedText, fix = f.Fix, key = f.Key, accepted = f.Accepted,
        }), Json);
        variant.StyleScore = result.Score;
        variant.StyleGuideVersionHash = result.GuideVersion;
        variant.HasStyleErrors = result.HasErrors;
        // A held post that no longer breaks the guide (its author fixed it) is held no more: otherwise it could be
        // approved again and still never be scheduled.
        if (!result.HasErrors)
            variant.HeldByStyleGuide = false;
        return result;
    }

    /// <summary>
    /// Counts a hand-written text by the network's rule and threads it when the account allows, as a rendering is. A
    /// Bluesky edit is stored as it is posted (links in the app's short form) with its facets: links it shows in short
    /// form keep the full addresses they had (from its earlier facets or the rendering).
    /// </summary>
    private static IEnumerable<Diagnostic> MeasureEdit(Variant variant, ChannelAccount account, RenderedVariant rendered)
    {
        var kind = ParseKind(account.Kind);
        var known = ChannelText.KnownLinks(variant.FacetsJson).Concat(ChannelText.KnownLinks(rendered)).ToList();
        var measured = ChannelText.MeasureEdit(kind, account.AllowThreads, variant.ManualOverride!, known);
        variant.ManualOverride = measured.Text;
        variant.CountUsed = measured.Count.Used;
        variant.CountLimit = measured.Count.Limit;
        variant.ThreadParts = measured.IsThread ? measured.Parts.Select(p => p.Text).ToList() : [];
        variant.FacetsJson = ChannelText.FacetsJson(measured.Parts.Select(p => p.Facets));
        return measured.Diagnostics;
    }

    private static BrandInput ToBrandInput(Brand? brand, BrandStyleGuide guide)
    {
        var palette = guide.Identity.Palette;
        var typography = guide.Identity.Typography;
        string? Font(string role) => typography.FirstOrDefault(t => t.Role.Contains(role, StringComparison.OrdinalIgnoreCase)) is { } t
            ? string.IsNullOrWhiteSpace(t.Fallback) ? t.Family : $"{t.Family}, {t.Fallback}"
            : null;
        string? Swatch(string usage) => palette.FirstOrDefault(c => c.Usage?.Contains(usage, StringComparison.OrdinalIgnoreCase) == true)?.Hex;
        var input = new BrandInput { Name = brand?.Name ?? guide.Identity.Name ?? "Your brand", LogoText = brand?.LogoText, ImageHosts = guide.Identity.ImageHosts };
        return input with
        {
            PrimaryColor = palette.Count > 0 ? palette[0].Hex : input.PrimaryColor,
            AccentColor = Swatch("link") ?? input.AccentColor,
            BackgroundColor = Swatch("background") ?? input.BackgroundColor,
            FontFamily = Font("body") ?? input.FontFamily,
            HeadingFontFamily = Font("head") ?? input.HeadingFontFamily,
        };
    }
}
