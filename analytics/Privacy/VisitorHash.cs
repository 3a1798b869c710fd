using System.Security.Cryptography;
using System.Text;

namespace Publisher.Analytics.Privacy;

/// <summary>
/// Counts unique visitors without storing who they are: a hash of the day's secret salt, the IP address and the
/// user agent. The salt changes every day (UTC) and the old one is deleted, so a hash cannot be traced back to an
/// address, nor linked to the same visitor's hash of another day. The address itself is never stored.
/// </summary>
public static class VisitorHash
{
    /// <summary>Bytes in a daily salt.</summary>
    public const int SaltLength = 32;

    /// <summary>A new random salt.</summary>
    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(SaltLength);

    /// <summary>The visitor's hash for the day whose salt is <paramref name="salt"/>: 64 bits, enough to count millions without collisions that matter.</summary>
    public static long Compute(ReadOnlySpan<byte> salt, string ipAddress, string? userAgent)
    {
        var text = ipAddress + "\n" + (userAgent ?? "");
        var length = salt.Length + Encoding.UTF8.GetMaxByteCount(text.Length);
        var buffer = length <= 1024 ? stackalloc byte[length] : new byte[length];
        salt.CopyTo(buffer);
        var written = Encoding.UTF8.GetBytes(text, buffer[salt.Length..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer[..(salt.Length + written)], hash);
        return BitConverter.ToInt64(hash[..8]);
    }
}

/// <summary>The browser's privacy signals: Do Not Track and Global Privacy Control.</summary>
public static class PrivacySignals
{
    /// <summary>True when the visitor asked not to be tracked (<c>DNT: 1</c> or <c>Sec-GPC: 1</c>): no visitor cookie is set and no visitor hash is kept.</summary>
    public static bool OptedOut(string? doNotTrack, string? globalPrivacyControl) =>
        doNotTrack?.Trim() == "1" || globalPrivacyControl?.Trim() == "1";
}
