using System.Text.Json;
using Publisher.StyleGuide;
using Publisher.Templates.Bluesky;
using Publisher.Templates.Channels;
using Publisher.Templates.Counting;
using Publisher.Templates.Rendering;
using Diagnostic = Publisher.Templates.Diagnostics.Diagnostic;

namespace Publisher.Core.Composition;

/// <summary>A hand-written text as it goes out: the text (Bluesky links in their short form), its count, its posts and their facets.</summary>
/// <param name="Text">What is published (for Bluesky the links shortened as the app shows them).</param>
/// <param name="Count">The whole text by the network's rule.</param>
/// <param name="Parts">The posts: the text itself, or the numbered parts of a thread, each with its count and facets.</param>
/// <param name="Diagnostics">A length error when it neither fits nor may be threaded.</param>
public sealed record MeasuredText(string Text, TextCount Count, IReadOnlyList<VariantPart> Parts, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>True when the text goes out as a thread of several posts.</summary>
    public bool IsThread => Parts.Count > 1;
}

/// <summary>
/// What the web (previews, the render API) and the composer (saved variants) both need from a post's text, so they
/// agree: a hand edit measured and threaded the way a rendering is, Bluesky facets kept for edits, and the parts that
/// are not prose (links, handles, tags, e-mail addresses, code) for the style guide, by each channel's own extraction.
/// </summary>
public static class ChannelText
{
    /// <summary>The most posts a hand edit is split into.</summary>
    public const int MaxEditThreadParts = 25;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Measures a hand-written text for <paramref name="kind"/>: a Bluesky text is prepared as the app posts it (its links
    /// shortened; links already shown in short form keep the addresses in <paramref name="knownLinks"/>), counted, and
    /// split into a thread when it is too long and the account allows threads.
    /// </summary>
    public static MeasuredText MeasureEdit(ChannelKind kind, bool allowThreads, string text, IEnumerable<BlueskyLink>? knownLinks = null)
    {
        var profile = ChannelProfiles.Get(kind);
        var links = knownLinks?.ToList() ?? [];
        BlueskyPost? post = null;
        if (kind == ChannelKind.Bluesky)
        {
            post = BlueskyFacets.Prepare(text, links);
            text = post.Text;
            links.AddRange(post.Links);
        }
        var count = ChannelCounter.Count(profile, text);
        VariantPart Part(string partText) => new(partText, ChannelCounter.Count(profile, partText),
            kind == ChannelKind.Bluesky ? BlueskyFacets.Prepare(partText, links).Facets : []);

        if (!count.IsOverLimit)
            return new MeasuredText(text, count, [Part(text)], []);
        if (allowThreads && profile.SupportsThreads && ThreadSplitter.Split(text, profile, MaxEditThreadParts) is { Count: > 1 } parts)
            return new MeasuredText(text, count, parts.Select(Part).ToList(), []);
        return new MeasuredText(text, count, [Part(text)],
        [
            Diagnostic.Error("variant.too-long",
                $"Your edit of the {profile.DisplayName} variant is {count.Used} of {count.Limit} {count.Unit}: shorten it" +
                (profile.SupportsThreads ? " or allow threads for this account." : ".")),
        ]);
    }

    /// <summary>The links a stored variant's facets point to, with the texts they may be shown as, so an edit keeps them.</summary>
    public static IEnumerable<BlueskyLink> KnownLinks(string? facetsJson)
    {
        var uris = FacetsPerPart(facetsJson).SelectMany(p => p).Where(f => f.Kind == BlueskyFacetKind.Link).Select(f => f.Value);
        return BlueskyFacets.KnownLinks(uris);
    }

    /// <summary>The links of a rendering: what each shows and where it points.</summary>
    public static IEnumerable<BlueskyLink> KnownLinks(RenderedVariant rendered) =>
        (rendered.Parts.Count > 0 ? rendered.Parts.Select(p => (p.Text, p.Facets)) : [(rendered.Text, rendered.Facets)])
            .SelectMany(p => new BlueskyPost(p.Text, p.Facets).Links);

    /// <summary>The facets stored for a variant, one list per part.</summary>
    public static IReadOnlyList<IReadOnlyList<BlueskyFacet>> FacetsPerPart(string? facetsJson)
    {
        if (string.IsNullOrWhiteSpace(facetsJson)) return [];
        try
        {
            return JsonSerializer.Deserialize<List<List<BlueskyFacet>?>>(facetsJson, Json)?.Select(p => (IReadOnlyList<BlueskyFacet>)(p ?? [])).ToList() ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>Facets per part, as the composer stores them.</summary>
    public static string FacetsJson(IEnumerable<IReadOnlyList<BlueskyFacet>> parts) => JsonSerializer.Serialize(parts, Json);

    /// <summary>
    /// The non-prose ranges of each field the linter reads, by the channel's own extraction: for Bluesky the body's
    /// facets (with the links in <paramref name="knownLinks"/>, so a shortened link is one range), for the others
    /// twitter-text's or Mastodon's entities; e-mail addresses and code everywhere.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<NonProseRange>> NonProse(ChannelKind kind, string? title, string? subject, string? body,
        IEnumerable<BlueskyLink>? knownLinks = null)
    {
        var result = new Dictionary<string, IReadOnlyList<NonProseRange>>();
        void Add(string field, string? text, IReadOnlyList<PostEntity> entities)
        {
            if (!string.IsNullOrEmpty(text)) result[field] = entities.Select(e => new NonProseRange(e.Start, e.End - e.Start)).ToList();
        }
        // Titles and subjects are not posts: links, tags and handles in them are found by twitter-text's rules.
        Add(LintInput.TitleField, title, PostEntities.Find(ChannelKind.LinkedIn, title));
        Add(LintInput.SubjectField, subject, PostEntities.Find(ChannelKind.LinkedIn, subject));
        Add(LintInput.BodyField, body, kind == ChannelKind.Bluesky && !string.IsNullOrEmpty(body)
            ? PostEntities.Find(kind, body, BlueskyFacets.Prepare(body, knownLinks).Facets)
            : PostEntities.Find(kind, body));
        return result;
    }

    /// <summary>The entities a preview colours in each of <paramref name="parts"/> (facets per part for Bluesky when stored).</summary>
    public static IReadOnlyList<IReadOnlyList<PostEntity>> Entities(ChannelKind kind, IReadOnlyList<string> parts, IReadOnlyList<IReadOnlyList<BlueskyFacet>>? facets = null) =>
        parts.Select((text, i) => PostEntities.Find(kind, text, kind == ChannelKind.Bluesky && facets is not null && i < facets.Count ? Valid(text, facets[i]) : null)).ToList();

    // Stored facets that no longer match the text (it changed since) are found again instead.
    private static IReadOnlyList<BlueskyFacet>? Valid(string text, IReadOnlyList<BlueskyFacet> facets)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(text);
        return facets.All(f => f.ByteStart >= 0 && f.ByteEnd <= bytes && f.ByteStart < f.ByteEnd) ? facets : null;
    }
}
