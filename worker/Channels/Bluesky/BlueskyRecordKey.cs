using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Publisher.Worker.Channels.Bluesky;

/// <summary>
/// The record key of each post of a publish request, derived from its idempotency key and the part's index, so
/// a retry writes to the same key (and the PDS refuses a second record there) and a reconcile can look it up.
/// </summary>
public static class BlueskyRecordKey
{
    private const string Base32Sortable = "234567abcdefghijklmnopqrstuvwxyz";

    // 2024-01-01T00:00:00Z in microseconds: keys look like TIDs made in early 2024 (never in the future).
    private const long Epoch = 1_704_067_200_000_000;

    /// <summary>
    /// A TID (13 characters, base32-sortable, top bit 0) as <c>app.bsky.feed.post</c> records require: 53 bits
    /// of "microseconds" from a hash of the key, 10 bits of clock id holding the part index, so a thread's
    /// parts get distinct keys.
    /// </summary>
    public static string For(string idempotencyKey, int partIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partIndex, 1023);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey));
        var offset = (long)(BinaryPrimitives.ReadUInt64BigEndian(hash) & ((1UL << 40) - 1));
        var value = ((ulong)(Epoch + offset) << 10) | (uint)partIndex;
        var key = new char[13];
        for (var i = 12; i >= 0; i--)
        {
            key[i] = Base32Sortable[(int)(value & 31)];
            value >>= 5;
        }
        return new string(key);
    }

    /// <summary>True for a syntactically valid TID.</summary>
    public static bool IsTid(string key) =>
        key.Length == 13 && "234567abcdefghij".Contains(key[0]) && key.All(c => Base32Sortable.Contains(c));
}
