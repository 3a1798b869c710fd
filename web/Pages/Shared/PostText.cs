using Publisher.Templates.Counting;

namespace Publisher.Web.Pages.Shared;

/// <summary>
/// Splits a post's text into plain runs and the entities its network links (links, hashtags, mentions, cashtags), so a
/// saved preview colours exactly what the render API tells the editor's live previews to colour: both take the ranges
/// from the same server-side extraction (<see cref="Publisher.Core.Composition.ChannelText.Entities"/>).
/// The text itself is never changed: every character appears once, in order, and is encoded by Razor.
/// </summary>
public static class PostText
{
    public sealed record Segment(string Text, PostEntityKind? Kind);

    /// <summary>The class a preview gives a segment (the same the editor's live previews use); plain text gets none.</summary>
    public static string? CssClass(PostEntityKind? kind) => kind switch
    {
        PostEntityKind.Link => "t-link",
        PostEntityKind.Hashtag or PostEntityKind.Cashtag => "t-tag",
        PostEntityKind.Mention => "t-mention",
        _ => null,
    };

    public static IReadOnlyList<Segment> Split(string? text, IReadOnlyList<PostEntity> entities)
    {
        if (string.IsNullOrEmpty(text))
            return [];
        var segments = new List<Segment>();
        var at = 0;
        foreach (var entity in entities.Where(e => CssClass(e.Kind) is not null).OrderBy(e => e.Start))
        {
            if (entity.Start < at || entity.End > text.Length)
                continue;
            if (entity.Start > at)
                segments.Add(new Segment(text[at..entity.Start], null));
            segments.Add(new Segment(text[entity.Start..entity.End], entity.Kind));
            at = entity.End;
        }
        if (at < text.Length)
            segments.Add(new Segment(text[at..], null));
        return segments;
    }
}
