using System.Globalization;
using System.Text;

namespace Publisher.Core.Networking;

/// <summary>
/// Makes text that came from a server Publisher called (an API's error message, an HTTP reason phrase, an SMTP
/// reply, an account name) fit to store and show: markup removed, control and invisible formatting characters
/// (bidirectional overrides, zero-width characters) dropped, whitespace collapsed to single spaces, and cut to a
/// length. A server's answer is never shown whole: a person sees the status and this short reason.
/// </summary>
public static class NetworkReplyText
{
    /// <summary>How much of a server's own words a failure reason keeps.</summary>
    public const int ReasonLength = 200;

    public static string Clean(string? text, int maxLength = ReasonLength)
    {
        if (string.IsNullOrEmpty(text) || maxLength <= 0)
            return "";
        var clean = new StringBuilder(Math.Min(text.Length, maxLength + 1));
        var inTag = false;
        var pendingSpace = false;
        foreach (var rune in text.EnumerateRunes())
        {
            if (inTag)
            {
                if (rune.Value == '>')
                {
                    inTag = false;
                    pendingSpace = true;
                }
                continue;
            }
            if (rune.Value == '<')
            {
                inTag = true;
                continue;
            }
            if (rune.Value == '>')
                continue;
            if (Rune.IsWhiteSpace(rune) || Rune.IsControl(rune))
            {
                pendingSpace = true;
                continue;
            }
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Format or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate)
                continue;
            if (pendingSpace && clean.Length > 0)
                clean.Append(' ');
            pendingSpace = false;
            if (clean.Length + rune.Utf16SequenceLength > maxLength)
                return clean.ToString().TrimEnd() + "…";
            clean.Append(rune.ToString());
        }
        return clean.ToString();
    }
}
