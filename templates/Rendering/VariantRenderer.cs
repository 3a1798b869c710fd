using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using Publisher.Templates.Bluesky;
using Publisher.Templates.Channels;
using Publisher.Templates.Counting;
using Publisher.Templates.Diagnostics;
using Publisher.Templates.Html;
using Publisher.Templates.Markdown;
using Publisher.Templates.Model;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Publisher.Templates.Rendering;

/// <summary>
/// Renders a message into channel variants: Markdown through Markdig, the link tagged with UTM
/// parameters, the channel's Scriban template (default or brand-edited) in a sandbox, then counting by
/// the network's rule, thread splitting or a length error, Bluesky facets, the email and blog
/// layouts, and the webhook JSON check. Nothing the message or template contains makes it throw:
/// every problem is a <see cref="Diagnostic"/> on the result.
/// Thread-safe; register one instance (see <c>AddTemplates()</c>).
/// </summary>
public sealed partial class VariantRenderer
{
    private static readonly ConcurrentDictionary<ChannelKind, ScriptObject> Helpers = new();

    private readonly TemplateCache _cache;
    private readonly LayoutRenderer _layouts;
    private readonly RenderLimits _limits;
    private readonly TimeProvider _time;

    /// <summary>Creates a renderer with its own cache and the default limits.</summary>
    public VariantRenderer() : this(new TemplateCache(), new LayoutRenderer(), RenderLimits.Default)
    {
    }

    /// <summary>Creates a renderer.</summary>
    /// <param name="cache">Parsed templates, shared by every render.</param>
    /// <param name="layouts">The Razor email and blog layouts.</param>
    /// <param name="limits">The limits every render runs under.</param>
    /// <param name="time">The clock for "updated" times of messages without a publish time (system clock when null).</param>
    public VariantRenderer(TemplateCache cache, LayoutRenderer layouts, RenderLimits limits, TimeProvider? time = null)
    {
        _cache = cache;
        _layouts = layouts;
        _limits = limits;
        _time = time ?? TimeProvider.System;
        _firstUse = new Lazy<bool>(PrepareFirstUse, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    // What a process pays once (compiling the layouts, building the URL pattern, loading the HTML parser) must
    // not count against the first render's time limit, so it is done before the clock starts.
    private readonly Lazy<bool> _firstUse;

    private bool PrepareFirstUse()
    {
        UrlExtractor.Warm();
        _layouts.WarmUp();
        SafeHtmlPolicy.Instance.SanitizeDocument("<!DOCTYPE html><html><head><style>p { color: #000 }</style></head><body><p style=\"color:#000\">x</p></body></html>", ImagePolicy.OwnMediaOnly);
        MarkdownConverter.TryParse("*x*", out _);
        return true;
    }

    /// <summary>The limits this renderer enforces.</summary>
    public RenderLimits Limits => _limits;

    /// <summary>Renders <paramref name="message"/> for one channel.</summary>
    /// <param name="message">The message as written.</param>
    /// <param name="brand">The brand (name, palette, typography, image hosts) for layouts and templates.</param>
    /// <param name="campaign">The campaign, or null; its slug becomes <c>utm_campaign</c>.</param>
    /// <param name="channel">The channel, its account's thread and UTM settings, and an optional brand-edited template.</param>
    /// <param name="cancellation">Stops a render in progress (it then ends with an error diagnostic).</param>
    /// <param name="budget">The request's budget, shared with its other renders; null for a budget of this render alone.</param>
    public RenderedVariant Render(MessageInput message, BrandInput brand, CampaignInput? campaign, ChannelSettings channel, CancellationToken cancellation = default, RenderBudget? budget = null)
    {
        _ = _firstUse.Value;
        var started = RenderDeadline.ThreadCpuNow();
        brand ??= new BrandInput();
        var prepared = PreparedMessage.Prepare(message, _limits, ImagesOf(brand));
        return RenderPrepared(prepared, brand, campaign, channel, cancellation, budget, started);
    }

    /// <summary>
    /// Renders <paramref name="message"/> for every channel in <paramref name="channels"/>, checking
    /// the message and converting its Markdown once for all of them.
    /// </summary>
    public IReadOnlyList<RenderedVariant> RenderAll(MessageInput message, BrandInput brand, CampaignInput? campaign, IEnumerable<ChannelSettings> channels, CancellationToken cancellation = default, RenderBudget? budget = null)
    {
        _ = _firstUse.Value;
        var started = RenderDeadline.ThreadCpuNow();
        brand ??= new BrandInput();
        var prepared = PreparedMessage.Prepare(message, _limits, ImagesOf(brand));
        var first = true;
        return channels.Select(channel =>
        {
            // The first render's time includes preparing the message; each later one has its own.
            var variant = RenderPrepared(prepared, brand, campaign, channel, cancellation, budget, first ? started : RenderDeadline.ThreadCpuNow());
            first = false;
            return variant;
        }).ToList();
    }

    /// <summary>
    /// Checks a template as the brand manager types it: syntax errors with 1-based line and column,
    /// then a trial render against a sample message, which reports unknown variables, .NET member
    /// access, loops that do not end, HTML that would be removed and other runtime errors with their
    /// position. The whole check runs under one time limit (<see cref="RenderLimits.RenderTimeout"/>).
    /// Safety does not depend on this check: every render sanitizes its HTML (see <see cref="SafeHtmlPolicy"/>).
    /// </summary>
    public IReadOnlyList<Diagnostic> ValidateTemplate(ChannelKind kind, string source, RenderBudget? budget = null)
    {
        _ = _firstUse.Value;
        var started = RenderDeadline.ThreadCpuNow();
        if (source is null) return [Diagnostic.Error("template.empty", "The template is empty: write a template or use the channel's default.")];
        if (source.Length > _limits.MaxTemplateCharacters) return [TemplateTooLong(source)];
        var parsed = _cache.GetOrParse(source);
        if (parsed.Template is null) return parsed.Diagnostics;

        var sample = RenderPrepared(PreparedMessage.Prepare(SampleContent.Message, _limits, ImagesOf(SampleContent.Brand)), SampleContent.Brand, SampleContent.Campaign,
            new ChannelSettings { Kind = kind, AllowThreads = true, TemplateSource = source }, CancellationToken.None, budget, started);
        // HTML the sanitizer had to remove is only a warning on a message's variant (what goes out is safe);
        // in the template it is a mistake to fix. The sample's title holds markup, which shows up here when
        // the template forgets html.escape.
        return parsed.Diagnostics
            .Concat(sample.Diagnostics.Where(IsAboutTheTemplate).Select(d => d.Code == "html.removed"
                ? Diagnostic.Error("template.unsafe-html",
                    $"The {ChannelProfiles.Get(kind).DisplayName} template writes HTML that is removed before anything is sent: {d.Message[(d.Message.IndexOf(':') + 2)..]} Remove it, and write message text with html.escape.")
                : d))
            .ToList();
    }

    // Findings about the sample message, the brand or the sample's length say nothing about the template.
    private static bool IsAboutTheTemplate(Diagnostic diagnostic) =>
        !diagnostic.Code.StartsWith("message.", StringComparison.Ordinal) &&
        !diagnostic.Code.StartsWith("brand.", StringComparison.Ordinal) &&
        diagnostic.Code is not ("variant.too-long" or "variant.thread" or "variant.left-out" or "email.subject-long");

    /// <summary>
    /// Compiles the Razor layouts and the URL pattern and renders every default template once, so the
    /// first real render is not slow. Call it at start-up (it takes a second or two); rendering works without it.
    /// </summary>
    public void WarmUp()
    {
        _ = _firstUse.Value;
        // One render of every default template compiles the code paths a first real render would pay for.
        RenderAll(SampleContent.Message, SampleContent.Brand, SampleContent.Campaign,
            Enum.GetValues<ChannelKind>().Select(kind => new ChannelSettings { Kind = kind, AllowThreads = true }));
    }

    private static ImagePolicy ImagesOf(BrandInput brand) => new() { MediaBaseUrl = brand.MediaBaseUrl, Hosts = brand.ImageHosts };

    private RenderedVariant RenderPrepared(PreparedMessage prepared, BrandInput brand, CampaignInput? campaign, ChannelSettings channel, CancellationToken cancellation, RenderBudget? budget, long started)
    {
        channel ??= ChannelSettings.For(ChannelKind.X);
        var kind = channel.Kind;
        var diagnostics = new List<Diagnostic>(prepared.Diagnostics);
        if (budget is { IsSpent: true })
        {
            diagnostics.Add(Diagnostic.Error("render.budget-spent",
                $"This variant was not rendered: the request already used its budget ({budget.Limits.MaxRequestOutputCharacters:N0} characters of output, {budget.Limits.RequestTimeout.TotalSeconds:N0} s). Render fewer channels at once."));
            return new RenderedVariant { Kind = kind, Diagnostics = diagnostics };
        }
        // One deadline for every stage of this render: Markdown (when it was prepared for it), the template,
        // checking and sanitizing its HTML, the layout. It ends sooner when the request's budget does.
        var deadline = RenderDeadline.After(started, _limits.RenderTimeout, budget?.Deadline ?? long.MaxValue);
        var variant = RenderStages(prepared, brand, campaign, channel, cancellation, budget, deadline, diagnostics);
        budget?.Spend(variant.Text.Length + (variant.Html?.Length ?? 0) + (variant.FeedEntry?.Length ?? 0) + (variant.JsonPayload?.Length ?? 0)
                      + (variant.IsThread ? variant.Parts.Sum(p => (long)p.Text.Length) : 0));
        return variant;
    }

    private RenderedVariant RenderStages(PreparedMessage prepared, BrandInput brand, CampaignInput? campaign, ChannelSettings channel, CancellationToken cancellation, RenderBudget? budget, RenderDeadline deadline, List<Diagnostic> diagnostics)
    {
        var kind = channel.Kind;
        if (!Enum.IsDefined(kind))
        {
            diagnostics.Add(Diagnostic.Error("channel.unknown", $"Channel kind {(int)kind} is not one Publisher knows: pick X, Mastodon, Bluesky, LinkedIn, Facebook Page, Email, Blog, Webhook, Threads or Instagram."));
            return new RenderedVariant { Kind = kind, Diagnostics = diagnostics };
        }
        var profile = ChannelProfiles.Get(kind);
        if (prepared.IsFatal) return new RenderedVariant { Kind = kind, Diagnostics = diagnostics };

        var tagged = UtmTagger.Tag(prepared.Message.Link, kind, channel.Utm ?? new UtmSettings(), campaign);
        // With tracking on, every link goes out as its short link: the message's link here, the body's in the model,
        // and any a template writes itself in its output, so the counts below are of what is really published.
        var links = channel.ShortenLink is { } shorten ? new LinkRewriter(shorten, kind, channel.Utm ?? new UtmSettings(), campaign) : null;
        var link = tagged.Url is { } destination && links is not null ? links.ShortenTagged(destination) : tagged.Url;

        var source = channel.TemplateSource ?? DefaultTemplates.For(kind);
        if (source.Length > _limits.MaxTemplateCharacters)
        {
            diagnostics.Add(TemplateTooLong(source));
            return new RenderedVariant { Kind = kind, Link = link, Links = links?.Uses ?? [], Diagnostics = diagnostics };
        }
        var parsed = _cache.GetOrParse(source);
        diagnostics.AddRange(parsed.Diagnostics);
        if (parsed.Template is null) return new RenderedVariant { Kind = kind, Link = link, Links = links?.Uses ?? [], Diagnostics = diagnostics };

        var model = TemplateModel.Build(prepared, brand, campaign, profile, channel, link, _time.GetUtcNow(), links);
        var maxOutput = (int)Math.Min(_limits.MaxOutputCharacters, Math.Max(1, budget?.RemainingCharacters ?? long.MaxValue));
        var context = SandboxedTemplateContext.Rent(_limits, deadline, maxOutput, cancellation);
        string output;
        try
        {
            context.PushGlobal(Helpers.GetOrAdd(kind, _ => TemplateFunctions.For(profile)));
            context.PushGlobal(model);
            output = parsed.Template.Render(context);
            context.PopGlobal();
            context.PopGlobal();
            context.Return(completed: true);
        }
        catch (Exception ex)
        {
            diagnostics.Add(RuntimeDiagnostic(ex, context, profile));
            context.Return(completed: false);
            return new RenderedVariant { Kind = kind, Link = link, Links = links?.Uses ?? [], Diagnostics = diagnostics };
        }

        if (TimeIsUp(deadline, profile, "after its template ran") is { } late)
        {
            diagnostics.Add(late);
            return new RenderedVariant { Kind = kind, Link = link, Links = links?.Uses ?? [], Diagnostics = diagnostics };
        }
        var rendered = kind switch
        {
            ChannelKind.Email => FinishEmail(output, model, prepared, brand, link, diagnostics, deadline, links),
            ChannelKind.Blog => FinishBlog(output, model, prepared, brand, link, diagnostics, deadline, links),
            ChannelKind.Webhook => FinishWebhook(output, link, diagnostics),
            ChannelKind.Bluesky => WithLeftOut(FinishBlueskyPost(Track(CleanPostText(output), links), profile, channel, link, diagnostics), profile, prepared.Message),
            _ => WithLeftOut(FinishPost(Track(CleanPostText(output), links), profile, channel, link, diagnostics), profile, prepared.Message),
        };
        return links is null ? rendered : rendered with { Links = links.Uses.Where(use => Carries(rendered, use.ShortUrl)).ToList() };
    }

    // A body link the template left out is not carried; a Bluesky post shows a link shortened, its facet holds it whole;
    // a Facebook post sends the message's link beside the text, for its preview card.
    private static bool Carries(RenderedVariant rendered, string shortUrl) =>
        (rendered.Kind == ChannelKind.FacebookPage && rendered.Link == shortUrl)
        || rendered.Text.Contains(shortUrl, StringComparison.Ordinal)
        || rendered.Html?.Contains(shortUrl, StringComparison.Ordinal) == true
        || rendered.JsonPayload?.Contains(shortUrl, StringComparison.Ordinal) == true
        || rendered.FeedEntry?.Contains(shortUrl, StringComparison.Ordinal) == true
        || rendered.Facets.Any(f => f.Value == shortUrl)
        || rendered.Parts.Any(p => p.Text.Contains(shortUrl, StringComparison.Ordinal) || p.Facets.Any(f => f.Value == shortUrl));

    private static string Track(string text, LinkRewriter? links) => links is null ? text : links.RewriteText(text);

    // A short post that leaves out part of the message (a hashtag, a key fact, the call to action, the end of its lead)
    // says so, so the editor can show what was cut while the marketer types.
    private static RenderedVariant WithLeftOut(RenderedVariant variant, ChannelProfile profile, MessageInput message)
    {
        if (!profile.SupportsThreads || variant.Text.Length == 0) return variant;
        var text = variant.Text;
        var missing = new List<string>();
        foreach (var tag in message.Hashtags.Select(t => t.Trim().TrimStart('#', '\uFF03')).Where(t => t.Length > 0).Take(profile.MaxHashtags))
        {
            if (!text.Contains("#" + tag, StringComparison.OrdinalIgnoreCase)) missing.Add("#" + tag);
        }
        missing.AddRange(TemplateFunctions.MissingFacts(text, message.KeyFacts).Select(f => $"the key fact \u201C{f}\u201D"));
        if (variant.Link is not null && message.CallToAction?.Trim() is { Length: > 0 } cta && !text.Contains(cta, StringComparison.OrdinalIgnoreCase))
            missing.Add($"the call to action \u201C{cta}\u201D");
        if (text.Contains('\u2026') && !(message.Summary ?? "").Contains('\u2026') && !message.BodyMarkdown.Contains('\u2026'))
            missing.Add("the end of its text (shortened with \u2026)");
        if (missing.Count == 0) return variant;
        return variant with
        {
            Diagnostics = [.. variant.Diagnostics, Diagnostic.Info("variant.left-out", $"The {profile.DisplayName} variant leaves out {string.Join(", ", missing)}.")],
        };
    }

    // Bluesky's app posts links in a short form, with the full address in the facet: the post is that text.
    private RenderedVariant FinishBlueskyPost(string text, ChannelProfile profile, ChannelSettings channel, string? link, List<Diagnostic> diagnostics)
    {
        var post = BlueskyFacets.Prepare(text);
        return FinishPost(post.Text, profile, channel, link, diagnostics, post);
    }

    private RenderedVariant FinishPost(string text, ChannelProfile profile, ChannelSettings channel, string? link, List<Diagnostic> diagnostics, BlueskyPost? bluesky = null)
    {
        var count = ChannelCounter.Count(profile, text);
        var facets = bluesky?.Facets ?? [];
        if (text.Length == 0)
        {
            diagnostics.Add(Diagnostic.Error("variant.empty", $"The {profile.DisplayName} template produced no text: check that it writes the message."));
            return new RenderedVariant { Kind = profile.Kind, Link = link, Count = count, Diagnostics = diagnostics };
        }
        if (profile.Kind == ChannelKind.X && HasInvalidXCharacters(text))
        {
            diagnostics.Add(Diagnostic.Error("variant.invalid-characters", "The X variant contains characters X rejects (U+FFFE, U+FEFF or U+FFFF): remove them."));
        }
        if (profile.Kind == ChannelKind.Instagram) diagnostics.AddRange(InstagramCaptionProblems(text));

        IReadOnlyList<VariantPart> parts = [new VariantPart(text, count, facets)];
        if (count.IsOverLimit)
        {
            var limit = count.Limit!.Value;
            if (profile.SupportsThreads && channel.AllowThreads)
            {
                var split = ThreadSplitter.Split(text, profile, _limits.MaxThreadParts);
                if (split is null)
                {
                    diagnostics.Add(Diagnostic.Error("variant.too-long",
                        $"The {profile.DisplayName} variant is {count.Used:N0} of {limit:N0} characters and does not fit a thread of {_limits.MaxThreadParts} posts: shorten it."));
                }
                else
                {
                    // Each part keeps the full addresses of the links it shows.
                    parts = split.Select(p => new VariantPart(p, ChannelCounter.Count(profile, p),
                        bluesky is null ? [] : BlueskyFacets.Prepare(p, bluesky.Links).Facets)).ToList();
                    diagnostics.Add(Diagnostic.Info("variant.thread",
                        $"The {profile.DisplayName} variant is {count.Used:N0} of {limit:N0} characters, so it goes out as a thread of {parts.Count} posts."));
                }
            }
            else
            {
                var advice = profile.SupportsThreads ? "shorten it or allow a thread" : "shorten it";
                diagnostics.Add(Diagnostic.Error("variant.too-long",
                    $"The {profile.DisplayName} variant is {count.Used:N0} of {limit:N0} characters: {advice}."));
            }
        }
        if (profile.Kind == ChannelKind.Threads) diagnostics.AddRange(ThreadsLinkProblems(parts));
        return new RenderedVariant { Kind = profile.Kind, Text = text, Link = link, Count = count, Parts = parts, Facets = facets, Diagnostics = diagnostics };
    }

    /// <summary>Threads refuses a post with more than this many different links (THREADS_API__LINK_LIMIT_EXCEEDED).</summary>
    public const int ThreadsMaxLinks = 5;

    // Threads refuses the container of a post with more than five different links: said while writing, per part.
    private static IEnumerable<Diagnostic> ThreadsLinkProblems(IReadOnlyList<VariantPart> parts)
    {
        for (var i = 0; i < parts.Count; i++)
        {
            var links = PostEntities.Find(ChannelKind.Threads, parts[i].Text).Where(e => e.Kind == PostEntityKind.Link).Select(e => e.Value).Distinct(StringComparer.Ordinal).Count();
            if (links > ThreadsMaxLinks)
                yield return Diagnostic.Error("variant.too-many-links",
                    (parts.Count > 1 ? $"Part {i + 1} of the Threads variant" : "The Threads variant") + $" has {links} different links; Threads takes at most {ThreadsMaxLinks} in a post: remove {links - ThreadsMaxLinks}.");
        }
    }

    // Instagram refuses a caption with more hashtags or mentions than it allows, at publish time: said while writing instead.
    private static IEnumerable<Diagnostic> InstagramCaptionProblems(string caption)
    {
        var entities = PostEntities.Find(ChannelKind.Instagram, caption);
        var hashtags = entities.Count(e => e.Kind == PostEntityKind.Hashtag);
        var mentions = entities.Count(e => e.Kind == PostEntityKind.Mention);
        if (hashtags > InstagramRules.MaxHashtags)
            yield return Diagnostic.Error("variant.too-many-hashtags",
                $"The Instagram caption has {hashtags} hashtags; Instagram takes at most {InstagramRules.MaxHashtags}: remove {hashtags - InstagramRules.MaxHashtags}.");
        if (mentions > InstagramRules.MaxMentions)
            yield return Diagnostic.Error("variant.too-many-mentions",
                $"The Instagram caption mentions {mentions} accounts; Instagram takes at most {InstagramRules.MaxMentions}: remove {mentions - InstagramRules.MaxMentions}.");
    }

    private static bool HasInvalidXCharacters(string text) => text.AsSpan().IndexOfAny('\uFFFE', '\uFEFF', '\uFFFF') >= 0;

    private RenderedVariant FinishEmail(string output, ScriptObject model, PreparedMessage prepared, BrandInput brand, string? link, List<Diagnostic> diagnostics, RenderDeadline deadline, LinkRewriter? links)
    {
        var profile = ChannelProfiles.Get(ChannelKind.Email);
        var text = Track(CleanPostText(output), links);
        var subject = OneLine(model["subject"]?.ToString() ?? prepared.Message.Title);
        var preheader = OneLine(model["preheader"]?.ToString() ?? "");
        var contentHtml = model["content_html"]?.ToString() ?? "";
        if (links is not null)
            contentHtml = links.RewriteHtml(contentHtml);
        var subjectCount = new TextCount(ChannelCounter.Graphemes(subject), ChannelProfiles.EmailSubjectWarningLength, "subject characters");

        if (subject.Length == 0)
            diagnostics.Add(Diagnostic.Error("email.subject-empty", "The email has no subject: give the message a title or set subject in the template."));
        else if (subjectCount.IsOverLimit)
            diagnostics.Add(Diagnostic.Warning("email.subject-long",
                $"The email subject is {subjectCount.Used} characters; inboxes show about {ChannelProfiles.EmailSubjectWarningLength}: put the key words first or shorten it."));
        if (contentHtml.Trim().Length == 0)
            diagnostics.Add(Diagnostic.Error("email.html-empty", "The email template set no content_html: capture the HTML body into content_html."));
        if (text.Length == 0)
            diagnostics.Add(Diagnostic.Error("email.text-empty", "The email template produced no plain-text part: write the text version as the template's output."));

        var images = ImagesOf(brand);
        var removed = new List<string>();
        if (SanitizeFragment(contentHtml, images, profile, removed, diagnostics, deadline) is not { } safeContent)
            return new RenderedVariant { Kind = ChannelKind.Email, Text = text, Subject = subject, Preheader = preheader, Link = link, Count = subjectCount, Diagnostics = diagnostics };
        var layout = _layouts.RenderEmail(new EmailLayoutModel
        {
            Subject = subject,
            Preheader = preheader,
            Brand = LayoutBrand.Of(brand),
            ContentHtml = safeContent,
            FooterText = brand.FooterText,
            PostalAddress = brand.PostalAddress,
            WebsiteUrl = WebAddress.OrNull(brand.WebsiteUrl),
            WebsiteLabel = WebAddress.OrNull(brand.WebsiteUrl) is { } site ? new Uri(site).Host : null,
        });
        var html = SanitizeDocument(layout, images, profile, removed, diagnostics, deadline);
        CheckBrandStyle(brand, diagnostics);
        ReportRemoved(profile, removed, diagnostics);
        return new RenderedVariant
        {
            Kind = ChannelKind.Email, Text = text, Html = html, Subject = subject, Preheader = preheader, Link = link,
            Count = subjectCount, Diagnostics = diagnostics,
        };
    }

    private RenderedVariant FinishBlog(string output, ScriptObject model, PreparedMessage prepared, BrandInput brand, string? link, List<Diagnostic> diagnostics, RenderDeadline deadline, LinkRewriter? links)
    {
        var profile = ChannelProfiles.Get(ChannelKind.Blog);
        var article = output.Trim();
        if (links is not null)
            article = links.RewriteHtml(article);
        var feedEntry = model["feed_entry"]?.ToString()?.Trim();
        if (article.Length == 0)
            diagnostics.Add(Diagnostic.Error("blog.article-empty", "The blog template produced no article: write the article HTML as the template's output."));
        var images = ImagesOf(brand);
        var removed = new List<string>();
        if (string.IsNullOrEmpty(feedEntry))
        {
            diagnostics.Add(Diagnostic.Error("blog.feed-entry-empty", "The blog template set no feed_entry: capture the Atom <entry> into feed_entry."));
        }
        else if (SafeHtmlPolicy.FindTooDeep(feedEntry) is { } deepLine)
        {
            diagnostics.Add(TooDeep(profile, "feed entry", deepLine));
            feedEntry = null;
        }
        else
        {
            try
            {
                using var reader = XmlReader.Create(new StringReader(feedEntry), FeedEntryReaderSettings);
                reader.MoveToContent();
                if (reader.LocalName != "entry" || reader.NamespaceURI != "http://www.w3.org/2005/Atom")
                    diagnostics.Add(Diagnostic.Error("blog.feed-entry-invalid", "The feed entry is not an Atom <entry> element: use <entry xmlns=\"http://www.w3.org/2005/Atom\">."));
                while (reader.Read())
                {
                    // Reading to the end is what checks that the whole entry is well-formed.
                }
                // Feed readers show the entry's HTML as it is: it gets the same policy as the page.
                if (SafeHtmlPolicy.Instance.SanitizeFeedEntry(feedEntry, images) is { } safeEntry)
                {
                    feedEntry = safeEntry.Html;
                    removed.AddRange(safeEntry.Removed);
                }
            }
            catch (XmlException ex)
            {
                diagnostics.Add(Diagnostic.Error("blog.feed-entry-invalid", $"The feed entry is not well-formed XML ({ex.Message}): escape text with xml_escape."));
            }
        }

        if (SanitizeFragment(article, images, profile, removed, diagnostics, deadline) is not { } safeArticle)
            return new RenderedVariant { Kind = ChannelKind.Blog, Link = link, Diagnostics = diagnostics };
        var blog = model["blog"] as ScriptObject;
        var page = _layouts.RenderBlogPage(new BlogPageModel
        {
            Title = prepared.Message.Title,
            BrandName = brand.Name,
            Brand = LayoutBrand.Of(brand),
            Description = prepared.Message.Summary ?? TemplateFunctions.FirstSentence(prepared.BodyText),
            CanonicalUrl = WebAddress.OrNull(blog?["article_url"] as string),
            FeedUrl = WebAddress.OrNull(blog?["feed_url"] as string),
            IndexUrl = WebAddress.OrNull(brand.BlogUrl),
            ArticleHtml = safeArticle,
        });
        var html = SanitizeDocument(page, images, profile, removed, diagnostics, deadline);
        CheckBrandStyle(brand, diagnostics);
        ReportRemoved(profile, removed, diagnostics);
        var text = HtmlToText(safeArticle);
        return new RenderedVariant
        {
            Kind = ChannelKind.Blog, Text = text, Html = html, FeedEntry = feedEntry, Link = link,
            Count = ChannelCounter.Count(ChannelKind.Blog, text), Diagnostics = diagnostics,
        };
    }

    /// <summary>
    /// The template's HTML through the policy, or null (with the error added) when it nests too deep to be
    /// parsed in time or the render's time ran out.
    /// </summary>
    private string? SanitizeFragment(string html, ImagePolicy images, ChannelProfile profile, List<string> removed, List<Diagnostic> diagnostics, RenderDeadline deadline)
    {
        if (SafeHtmlPolicy.FindTooDeep(html) is { } line)
        {
            diagnostics.Add(TooDeep(profile, "HTML", line));
            return null;
        }
        var safe = SafeHtmlPolicy.Instance.SanitizeFragment(html, images);
        removed.AddRange(safe.Removed);
        if (TimeIsUp(deadline, profile, "while its HTML was checked") is { } late)
        {
            diagnostics.Add(late);
            return null;
        }
        return safe.Html;
    }

    // The layout around already sanitized content, through the policy once more as a whole page.
    private string? SanitizeDocument(string page, ImagePolicy images, ChannelProfile profile, List<string> removed, List<Diagnostic> diagnostics, RenderDeadline deadline)
    {
        var safe = SafeHtmlPolicy.Instance.SanitizeDocument(page, images);
        removed.AddRange(safe.Removed);
        if (TimeIsUp(deadline, profile, "while its page was put together") is { } late)
        {
            diagnostics.Add(late);
            return null;
        }
        return safe.Html;
    }

    private static Diagnostic TooDeep(ChannelProfile profile, string what, int line) => Diagnostic.Error("template.html-too-deep",
        $"The {profile.DisplayName} template wrote {what} that nests more than {SafeHtmlPolicy.MaxDepth} elements deep (line {line:N0} of what it wrote), so it was not rendered: close the tags it opens.");

    private static void ReportRemoved(ChannelProfile profile, List<string> removed, List<Diagnostic> diagnostics)
    {
        if (removed.Count == 0) return;
        var parts = removed.Distinct().ToList();
        diagnostics.Add(Diagnostic.Warning("html.removed",
            $"The {profile.DisplayName} template wrote HTML that was removed before anyone sees it: {string.Join(", ", parts.Take(5))}{(parts.Count > 5 ? $" and {parts.Count - 5} more" : "")}. Ask a brand manager to fix the template."));
    }

    private Diagnostic? TimeIsUp(RenderDeadline deadline, ChannelProfile profile, string when) =>
        deadline.HasPassed
            ? Diagnostic.Error("template.time-limit", $"Rendering the {profile.DisplayName} variant took longer than its time limit ({_limits.RenderTimeout.TotalMilliseconds:N0} ms) and was stopped {when}: simplify the template.")
            : null;

    private static readonly XmlReaderSettings FeedEntryReaderSettings = new() { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };

    private static RenderedVariant FinishWebhook(string output, string? link, List<Diagnostic> diagnostics)
    {
        var json = output.Trim();
        var text = "";
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                diagnostics.Add(Diagnostic.Error("webhook.not-object", "The webhook payload must be a JSON object: wrap it in { }."));
            else if (document.RootElement.TryGetProperty("text", out var textElement) && textElement.ValueKind == JsonValueKind.String)
                text = textElement.GetString() ?? "";
            else
                diagnostics.Add(Diagnostic.Warning("webhook.no-text", "The webhook payload has no \"text\" string: Slack and compatible receivers show nothing without it."));
        }
        catch (JsonException ex)
        {
            diagnostics.Add(Diagnostic.Error("webhook.invalid-json",
                $"The webhook template produced invalid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): write values with the json helper, e.g. {{{{ json message.title }}}}."));
        }
        return new RenderedVariant
        {
            Kind = ChannelKind.Webhook, Text = text, JsonPayload = json, Link = link,
            Count = ChannelCounter.Count(ChannelKind.Webhook, text), Diagnostics = diagnostics,
        };
    }

    /// <summary>Warns when the brand's colours or fonts were unsafe or malformed and the layouts fell back to the defaults.</summary>
    private static void CheckBrandStyle(BrandInput brand, List<Diagnostic> diagnostics)
    {
        foreach (var (name, value) in new[] { ("primary", brand.PrimaryColor), ("accent", brand.AccentColor), ("background", brand.BackgroundColor), ("text", brand.TextColor) })
        {
            if (BrandStyle.Color(value, "") != value?.Trim())
                diagnostics.Add(Diagnostic.Warning("brand.color-invalid", $"The brand's {name} colour \"{value}\" is not a hex colour like #1f3a5f: the default colour was used."));
        }
        foreach (var (name, value) in new[] { ("body", brand.FontFamily), ("heading", brand.HeadingFontFamily) })
        {
            if (BrandStyle.FontStack(value, "") == "")
                diagnostics.Add(Diagnostic.Warning("brand.font-invalid", $"The brand's {name} font \"{value}\" may hold only font names, commas, quotes and hyphens: the default font was used."));
        }
    }

    private Diagnostic TemplateTooLong(string source) => Diagnostic.Error("template.too-long",
        $"The template is {source.Length:N0} characters; the limit is {_limits.MaxTemplateCharacters:N0}: simplify it.");

    private Diagnostic RuntimeDiagnostic(Exception ex, SandboxedTemplateContext context, ChannelProfile profile)
    {
        var runtime = ex as ScriptRuntimeException;
        var span = runtime?.Span ?? context.CurrentNode?.Span;
        int? line = span is { } s && s.Start.Line >= 0 ? s.Start.Line + 1 : null;
        int? column = span is { } c && c.Start.Column >= 0 ? c.Start.Column + 1 : null;
        var where = line is null ? "" : $" (line {line}, column {column})";
        var stop = context.StopReason ?? (ex.InnerException as RenderBudgetExceededException)?.Message;
        var message = runtime?.OriginalMessage ?? ex.Message;

        if (stop == "time")
            return Diagnostic.Error("template.time-limit", $"The {profile.DisplayName} template ran longer than {_limits.RenderTimeout.TotalMilliseconds:N0} ms and was stopped{where}: simplify its loops.", line, column);
        if (stop == "memory")
            return Diagnostic.Error("template.memory-limit", $"The {profile.DisplayName} template built more text in memory than any post needs and was stopped{where}: check for text that grows in a loop.", line, column);
        if (stop == "canceled" || ex is ScriptAbortException or OperationCanceledException)
            return Diagnostic.Error("template.canceled", $"Rendering the {profile.DisplayName} variant was canceled{where}.", line, column);
        if (message.Contains("iteration limit", StringComparison.OrdinalIgnoreCase) || message.Contains("loop", StringComparison.OrdinalIgnoreCase) && message.Contains("limit", StringComparison.OrdinalIgnoreCase))
            return Diagnostic.Error("template.loop-limit", $"The {profile.DisplayName} template ran more than {_limits.LoopLimit:N0} loop iterations{where}: check for a loop that never ends.", line, column);
        if (message.Contains("recursive", StringComparison.OrdinalIgnoreCase) || ex is InsufficientExecutionStackException)
            return Diagnostic.Error("template.recursion-limit", $"The {profile.DisplayName} template nested function calls deeper than {_limits.RecursionLimit}{where}: check for a function that calls itself without end.", line, column);
        if (message.Contains("output", StringComparison.OrdinalIgnoreCase) && message.Contains("limit", StringComparison.OrdinalIgnoreCase)
            || message.Contains("string", StringComparison.OrdinalIgnoreCase) && message.Contains("limit", StringComparison.OrdinalIgnoreCase))
            return Diagnostic.Error("template.output-limit", $"The {profile.DisplayName} template wrote more than {_limits.MaxOutputCharacters:N0} characters{where}: check for text repeated in a loop.", line, column);
        if (message.Contains("not found", StringComparison.OrdinalIgnoreCase))
            return Diagnostic.Error("template.unknown-name",
                $"{message}{where}. Templates can use only the message, channel, brand, campaign, link and blog data and the helper functions; .NET types and members are not available.", line, column);
        if (ex is ScriptRuntimeException)
            return Diagnostic.Error("template.runtime", $"The {profile.DisplayName} template failed{where}: {message}", line, column);
        return Diagnostic.Error("template.runtime", $"The {profile.DisplayName} template failed{where}: {ex.Message}", line, column);
    }

    // Templates are easier to write when blank-line runs and trailing spaces do not matter.
    private static string CleanPostText(string output)
    {
        var text = output.Replace("\r\n", "\n").Replace('\r', '\n');
        text = TrailingSpaces().Replace(text, "");
        text = BlankLines().Replace(text, "\n\n");
        return text.Trim();
    }

    private static string OneLine(string value) => WhitespaceRun().Replace(value, " ").Trim();

    private static string HtmlToText(string html)
    {
        var text = ListItem().Replace(html, "• ").Replace("</li>", "\n", StringComparison.OrdinalIgnoreCase);
        text = BlockEnd().Replace(text, "\n\n");
        text = Tag().Replace(text, "");
        text = WebUtility.HtmlDecode(text);
        return CleanPostText(string.Join('\n', text.Split('\n').Select(l => l.Trim())));
    }


    [GeneratedRegex(@"[ \t]+(?=\n|$)")]
    private static partial Regex TrailingSpaces();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLines();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();

    [GeneratedRegex(@"</(?:p|h[1-6]|ul|ol|blockquote|div|header|footer|section|article|aside|pre)>|<br\s*/?>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockEnd();

    [GeneratedRegex(@"<li\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ListItem();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tag();
}
