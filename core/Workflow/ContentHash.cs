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
        Of(variant.ChannelAccountId, variant.EffectiveText, variant.RenderedHtml, variant.Subject, variant.ThreadParts, variant.Preheader, variant.JsonPayload);

    public static string Of(Guid channelAccountId, string text, string? html, string? subject, IReadOnlyList<string> threadParts,
        string? preheader = null, string? jsonPayload = null)
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
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }
}
