using System.Security.Cryptography;
using System.Text;
using Publisher.Core.Domain;

namespace Publisher.Core.Workflow;

/// <summary>
/// The fingerprint of exactly what would be published. An approval carries it; the worker refuses to
/// publish content whose fingerprint no approval carries.
/// </summary>
public static class ContentHash
{
    public static string Of(Variant variant) =>
        Of(variant.ChannelAccountId, variant.EffectiveText, variant.RenderedHtml, variant.Subject, variant.ThreadParts, variant.Preheader, variant.JsonPayload,
            variant.Media.OrderBy(m => m.Position).Select(m => new MediaFingerprint(m.Key, m.AltText, m.PosterKey)).ToList());

    /// <summary>What of one attached medium the approval covers: the derivative's bytes (by their hash), its alt text and a video's poster.</summary>
    public sealed record MediaFingerprint(string Key, string AltText, string? PosterKey = null);

    public static string Of(Guid channelAccountId, string text, string? html, string? subject, IReadOnlyList<string> threadParts,
        string? preheader = null, string? jsonPayload = null, IReadOnlyList<MediaFingerprint>? media = null)
    {
        // Length-prefixed fields, so moving text from one field to the next changes the hash.
        var builder = new StringBuilder();
        void Add(string? value) => builder.Append(value?.Length ?? -1).Append(':').Append(value).Append('\n');
        Add(channelAccountId.ToString());
        Add(text);
        Add(html);
        Add(subject);
        Add(preheader);
        Add(jsonPayload);
        builder.Append(threadParts.Count).Append('\n');
        foreach (var part in threadParts)
            Add(part);
        // Only when there are media, so the hash of a variant without any (every approval made before media existed) is unchanged.
        if (media is { Count: > 0 })
        {
            builder.Append("media:").Append(media.Count).Append('\n');
            foreach (var item in media)
            {
                Add(item.Key);
                Add(item.AltText);
                Add(item.PosterKey);
            }
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }
}
