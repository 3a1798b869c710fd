namespace Publisher.Media.Storage;

/// <summary>A stored blob: its SHA-256 (its name), size and media type.</summary>
public sealed record BlobInfo(string Sha256, long Length, string ContentType);

/// <summary>
/// Content-addressed storage for media bytes: a blob's name is the SHA-256 of its bytes, so the same file stored twice
/// is one blob, and a name always means the same bytes. Writes stream (memory does not grow with the file) and are
/// all-or-nothing: a failed or cancelled write leaves nothing behind.
/// </summary>
public interface IBlobStore
{
    /// <summary>Stores the stream's bytes (read to its end) and returns their hash; storing bytes already there changes nothing.</summary>
    Task<BlobInfo> PutAsync(Stream content, string contentType, CancellationToken cancellationToken);

    /// <summary>The blob's facts, or null when it is not stored.</summary>
    Task<BlobInfo?> GetInfoAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>Opens the blob for reading (seekable where the store allows), or null when it is not stored. Dispose it.</summary>
    Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>Removes the blob; false when it was not there.</summary>
    Task<bool> DeleteAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>Where the blob can be read publicly without Publisher (an object store's public address), or null.</summary>
    Uri? PublicAddress(string sha256);
}

public static class BlobNames
{
    /// <summary>Whether <paramref name="name"/> is a SHA-256 in lower-case hex, the only blob names there are.</summary>
    public static bool IsSha256(string? name) =>
        name is { Length: 64 } && name.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
