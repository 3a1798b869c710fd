using Publisher.Templates.Bluesky;
using Publisher.Templates.Channels;
using Publisher.Templates.Counting;
using Publisher.Templates.Diagnostics;
using Publisher.Templates.Model;

namespace Publisher.Templates.Rendering;

/// <summary>One post of a variant: the whole variant, or one numbered part of a thread.</summary>
/// <param name="Text">The text to publish.</param>
/// <param name="Count">Its length by the network's rule.</param>
/// <param name="Facets">Bluesky rich-text facets of <paramref name="Text"/> (empty for other channels).</param>
public sealed record VariantPart(string Text, TextCount Count, IReadOnlyList<BlueskyFacet> Facets);

/// <summary>
/// A message rendered for one channel. <see cref="Success"/> is false whenever there is an error
/// diagnostic; in that case the text may be empty (the template failed) or be a preview that must
/// not be published (the content has a problem, such as a variant over the limit).
/// </summary>
public sealed record RenderedVariant
{
    /// <summary>The channel kind rendered for.</summary>
    public required ChannelKind Kind { get; init; }

    /// <summary>
    /// The text of the variant: the post (social channels, before any thread split), the plain-text
    /// part (email), the article as plain text (blog), the Slack-compatible <c>text</c> (webhook).
    /// </summary>
    public string Text { get; init; } = "";

    /// <summary>The full HTML: the branded email, or the blog article page. Null for other channels.</summary>
    public string? Html { get; init; }

    /// <summary>Email subject.</summary>
    public string? Subject { get; init; }

    /// <summary>Email preheader (the preview line after the subject).</summary>
    public string? Preheader { get; init; }

    /// <summary>The blog post's Atom <c>&lt;entry&gt;</c> element.</summary>
    public string? FeedEntry { get; init; }

    /// <summary>The webhook's JSON payload.</summary>
    public string? JsonPayload { get; init; }

    /// <summary>
    /// The message's link as it goes out on this channel: its short link when links are tracked, otherwise the link
    /// tagged with UTM parameters; null when the message has none.
    /// </summary>
    public string? Link { get; init; }

    /// <summary>The tracked links the variant carries, in order of first appearance (empty when links are not tracked).</summary>
    public IReadOnlyList<TrackedLinkUse> Links { get; init; } = [];

    /// <summary>
    /// Length of <see cref="Text"/> by the network's rule and its limit; for email, the subject's
    /// length against the 60 characters inboxes show.
    /// </summary>
    public TextCount Count { get; init; } = new(0, null, "characters");

    /// <summary>
    /// The posts to publish: one part, or the numbered parts of a thread. Empty for email, blog and webhook.
    /// </summary>
    public IReadOnlyList<VariantPart> Parts { get; init; } = [];

    /// <summary>Bluesky facets of <see cref="Text"/> (when not split into a thread).</summary>
    public IReadOnlyList<BlueskyFacet> Facets { get; init; } = [];

    /// <summary>The HTML the template itself wrote (email content or blog article), before the layout wraps it.</summary>
    internal string? TemplateHtml { get; init; }

    /// <summary>Everything found while rendering, in order.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; init; } = [];

    /// <summary>True when there is no error diagnostic.</summary>
    public bool Success => !Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>True when the variant was split into a numbered thread.</summary>
    public bool IsThread => Parts.Count > 1;
}
