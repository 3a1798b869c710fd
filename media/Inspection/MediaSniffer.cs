using System.Text;

namespace Publisher.Media.Inspection;

/// <summary>
/// What a file's first bytes say it is, whatever its name or declared type claims. Browsers and people mislabel
/// files, and a file that claims to be a picture but is HTML or SVG must never be stored or served.
/// </summary>
public static class MediaSniffer
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>How many leading bytes <see cref="Sniff"/> looks at.</summary>
    public const int HeaderLength = 512;

    /// <summary>The media type the bytes are, or a pseudo-type for what Publisher refuses (SVG, HTML), or null when unknown.</summary>
    public static string? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
            return MediaTypes.Jpeg;
        if (head.StartsWith(PngSignature))
            return MediaTypes.Png;
        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
            return MediaTypes.Gif;
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
            return MediaTypes.WebP;
        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8))
        {
            // The major brand says which: "qt  " is QuickTime; the ISO brands (isom, mp41, mp42, avc1, M4V, …) are MP4.
            var brand = head[8..12];
            if (brand.SequenceEqual("qt  "u8))
                return MediaTypes.QuickTime;
            if (brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("avif"u8) || brand.SequenceEqual("mif1"u8))
                return "image/heif";
            return MediaTypes.Mp4;
        }
        // Old QuickTime files may start with another atom before ftyp.
        if (head.Length >= 8 && (head[4..8].SequenceEqual("moov"u8) || head[4..8].SequenceEqual("mdat"u8) || head[4..8].SequenceEqual("wide"u8)))
            return MediaTypes.QuickTime;
        return SniffText(head);
    }

    private static string? SniffText(ReadOnlySpan<byte> head)
    {
        // Markup may start with a byte-order mark, white space, an XML declaration or comments: look at the text as a whole.
        var text = Encoding.UTF8.GetString(head).TrimStart('\uFEFF', ' ', '\t', '\r', '\n').ToLowerInvariant();
        if (text.Contains("<svg", StringComparison.Ordinal))
            return "image/svg+xml";
        if (text.StartsWith("<!doctype html", StringComparison.Ordinal) || text.StartsWith("<html", StringComparison.Ordinal)
            || text.Contains("<script", StringComparison.Ordinal) || text.Contains("<body", StringComparison.Ordinal) || text.Contains("<head", StringComparison.Ordinal))
            return "text/html";
        if (text.StartsWith("<?xml", StringComparison.Ordinal))
            return "application/xml";
        return null;
    }
}
