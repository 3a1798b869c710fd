using System.Security.Cryptography;
using System.Text;

namespace Publisher.Analytics.Links;

/// <summary>
/// The codes of first-party tracked links (<c>{PublicUrl}/l/{code}</c>). A code is an HMAC of the variant and the
/// link's destination under the installation's secret link key: the same link in the same variant always gets the
/// same code, so rendering a variant again changes nothing an approver saw, while nobody without the key can
/// guess a code (10 base-62 characters, about 59 bits).
/// </summary>
public static class LinkCodes
{
    /// <summary>Characters in a code.</summary>
    public const int Length = 10;

    /// <summary>The path segment before the code.</summary>
    public const string PathPrefix = "/l/";

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // 62^10: the number of distinct codes; a 64-bit number reduced modulo it is uniform enough (bias below 2^-4).
    private const ulong Space = 839_299_365_868_340_224UL;

    /// <summary>The code of <paramref name="destination"/> in the variant <paramref name="variantId"/>.</summary>
    /// <param name="key">The installation's secret link key (at least 16 bytes).</param>
    /// <param name="variantId">The variant carrying the link.</param>
    /// <param name="destination">Where the link leads, exactly as the redirect will send visitors (UTM tags included).</param>
    public static string For(ReadOnlySpan<byte> key, Guid variantId, string destination)
    {
        if (key.Length < 16)
            throw new ArgumentException("The link key must be at least 16 bytes long.", nameof(key));
        var input = Encoding.UTF8.GetBytes(variantId.ToString("N") + "\n" + destination);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, input, mac);
        var number = BitConverter.ToUInt64(mac[..8]) % Space;
        Span<char> code = stackalloc char[Length];
        for (var i = Length - 1; i >= 0; i--)
        {
            code[i] = Alphabet[(int)(number % 62)];
            number /= 62;
        }
        return new string(code);
    }

    /// <summary>Whether <paramref name="code"/> has the shape of a code; anything else is answered 404 without a lookup.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> code)
    {
        if (code.Length != Length)
            return false;
        foreach (var c in code)
        {
            if (!char.IsAsciiLetterOrDigit(c))
                return false;
        }
        return true;
    }

    /// <summary>The short link for <paramref name="code"/>: <c>{publicUrl}/l/{code}</c>.</summary>
    public static string ShortUrl(string publicUrl, string code) => publicUrl.TrimEnd('/') + PathPrefix + code;

    /// <summary>The code of a short link made by <see cref="ShortUrl"/> under <paramref name="publicUrl"/>, or null when it is not one.</summary>
    public static string? CodeOf(string publicUrl, string url)
    {
        var prefix = publicUrl.TrimEnd('/') + PathPrefix;
        if (!url.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            return null;
        var code = url[prefix.Length..];
        return IsWellFormed(code) ? code : null;
    }
}
