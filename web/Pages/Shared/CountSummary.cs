using Publisher.Core.Composition;
using Publisher.Templates.Counting;

namespace Publisher.Web.Pages.Shared;

/// <summary>
/// A variant's length as its counter shows it: "123/280", or for a thread each post against the limit ("2 posts:
/// 287/500 · 330/500"). A thread is over the limit only when one of its posts is: the whole may be longer.
/// The editor's live counter follows the same rule from the render API's <c>count.threaded</c> and <c>parts</c>.
/// </summary>
public sealed record CountSummary(int Used, int? Limit, IReadOnlyList<TextCount> Parts)
{
    public bool IsThread => Parts.Count > 1;

    public bool Over => IsThread ? Parts.Any(p => p.IsOverLimit) : Limit is { } limit && Used > limit;

    public string Text => IsThread
        ? $"{Parts.Count} posts: " + string.Join(" · ", Parts.Select(p => p.Limit is { } l ? $"{p.Used}/{l}" : $"{p.Used}"))
        : Used + (Limit is { } limit ? $"/{limit}" : "");

    public static CountSummary Of(string channelKind, int used, int? limit, IReadOnlyList<string> threadParts) =>
        new(used, limit, threadParts.Count > 1
            ? threadParts.Select(p => ChannelCounter.Count(VariantComposer.ParseKind(channelKind), p)).ToList()
            : []);
}
