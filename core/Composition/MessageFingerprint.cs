using System.Security.Cryptography;
using System.Text;
using Publisher.Core.Domain;

namespace Publisher.Core.Composition;

/// <summary>
/// A hash of the message fields variants are rendered from. A hand-edited variant remembers the
/// fingerprint it was edited against, so the editor can say "the message changed since your edit".
/// </summary>
public static class MessageFingerprint
{
    public static string Of(Message message)
    {
        var builder = new StringBuilder();
        void Add(string? value) => builder.Append(value?.Length ?? -1).Append(':').Append(value).Append('\n');
        Add(message.Title);
        Add(message.BodyMarkdown);
        Add(message.Summary);
        Add(message.Link);
        Add(message.CallToAction);
        Add(string.Join('\u001f', message.Hashtags));
        Add(string.Join('\u001f', message.KeyFacts));
        Add(message.CampaignId?.ToString());
        Add(message.IsSponsored ? "sponsored" : "");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }

    /// <summary>
    /// Whether the variant is a hand edit written against an older message: its "message changed since this edit" mark.
    /// (Lists that do not load whole messages compare <see cref="Variant.SourceMessageHash"/> with the stored
    /// <see cref="Message.Fingerprint"/> instead, which the composer keeps current.)
    /// </summary>
    public static bool EditIsOutdated(Variant variant, Message message) =>
        variant.ManualOverride is not null && variant.SourceMessageHash != Of(message);
}
