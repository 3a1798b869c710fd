using System.Buffers.Binary;

namespace Publisher.Media.Inspection;

/// <summary>An image's size and frame count as its header states them, read without decoding a pixel.</summary>
public readonly record struct ImageHeaderInfo(int Width, int Height, int Frames)
{
    public long Pixels => (long)Width * Height;
}

/// <summary>
/// Reads width, height and (for GIF) the number of frames straight from the file's structure. This is what the
/// decompression-bomb check runs on: a 100 KB PNG can claim 50,000 × 50,000 pixels, and decoding it to find out
/// would take gigabytes, so the claim is checked before any decoder sees the file.
/// </summary>
public static class ImageHeader
{
    /// <summary>The header of a JPEG, PNG, GIF or WebP, or null when the structure is broken or cut short.</summary>
    public static ImageHeaderInfo? Read(Stream stream, string contentType)
    {
        stream.Position = 0;
        try
        {
            return contentType switch
            {
                MediaTypes.Png => Png(stream),
                MediaTypes.Gif => Gif(stream),
                MediaTypes.Jpeg => Jpeg(stream),
                MediaTypes.WebP => WebP(stream),
                _ => null,
            };
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }

    private static byte[] ReadExactly(Stream stream, int count)
    {
        var buffer = new byte[count];
        stream.ReadExactly(buffer);
        return buffer;
    }

    private static ImageHeaderInfo? Png(Stream stream)
    {
        // Signature (8), then the IHDR chunk: length (4), "IHDR" (4), width (4), height (4).
        var head = ReadExactly(stream, 24);
        if (!head.AsSpan(12, 4).SequenceEqual("IHDR"u8))
            return null;
        var width = BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(16));
        var height = BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(20));
        return Valid(width, height, 1);
    }

    private static ImageHeaderInfo? Gif(Stream stream)
    {
        // Header (6), logical screen: width (2), height (2), flags (1), background (1), aspect (1).
        var head = ReadExactly(stream, 13);
        var width = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(6));
        var height = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(8));
        if ((head[10] & 0x80) != 0)
            stream.Seek(3 * (1 << ((head[10] & 7) + 1)), SeekOrigin.Current); // global colour table
        var frames = 0;
        while (true)
        {
            var block = stream.ReadByte();
            switch (block)
            {
                case 0x2C: // image descriptor: x, y, w, h (8), flags (1), then an optional local table and the LZW data
                    var descriptor = ReadExactly(stream, 9);
                    // A frame may sit anywhere on the logical screen, but libvips renders frames at the screen size:
                    // the screen is what is decoded, and a frame larger than it is what a crafted file would use.
                    width = Math.Max(width, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(descriptor.AsSpan(0)) + BinaryPrimitives.ReadUInt16LittleEndian(descriptor.AsSpan(4))));
                    height = Math.Max(height, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(descriptor.AsSpan(2)) + BinaryPrimitives.ReadUInt16LittleEndian(descriptor.AsSpan(6))));
                    if ((descriptor[8] & 0x80) != 0)
                        stream.Seek(3 * (1 << ((descriptor[8] & 7) + 1)), SeekOrigin.Current);
                    stream.ReadByte(); // LZW minimum code size
                    SkipSubBlocks(stream);
                    frames++;
                    break;
                case 0x21: // extension: label, then sub-blocks
                    stream.ReadByte();
                    SkipSubBlocks(stream);
                    break;
                case 0x3B: // trailer
                case -1: // a file cut short after whole frames still shows them; a broken frame is caught when decoding
                    return frames == 0 ? null : Valid((uint)width, (uint)height, frames);
                default:
                    return null;
            }
        }
    }

    private static void SkipSubBlocks(Stream stream)
    {
        while (true)
        {
            var size = stream.ReadByte();
            if (size <= 0)
            {
                if (size < 0) throw new EndOfStreamException();
                return;
            }
            stream.Seek(size, SeekOrigin.Current);
            if (stream.Position > stream.Length) throw new EndOfStreamException();
        }
    }

    private static ImageHeaderInfo? Jpeg(Stream stream)
    {
        stream.Seek(2, SeekOrigin.Begin);
        while (true)
        {
            var marker = ReadExactly(stream, 2);
            if (marker[0] != 0xFF)
                return null;
            var code = marker[1];
            while (code == 0xFF) code = (byte)stream.ReadByte(); // fill bytes
            if (code is 0xD8 or 0x01 || code is >= 0xD0 and <= 0xD7)
                continue; // markers without a length
            var length = BinaryPrimitives.ReadUInt16BigEndian(ReadExactly(stream, 2));
            if (length < 2)
                return null;
            // Start-of-frame markers (baseline, progressive, lossless, arithmetic), not DHT (C4), JPG (C8) or DAC (CC).
            if (code is >= 0xC0 and <= 0xCF && code is not (0xC4 or 0xC8 or 0xCC))
            {
                var frame = ReadExactly(stream, 5); // precision (1), height (2), width (2)
                return Valid(BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(3)), BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(1)), 1);
            }
            if (code == 0xDA)
                return null; // scan data before any frame header: not a JPEG a decoder would accept
            stream.Seek(length - 2, SeekOrigin.Current);
            if (stream.Position >= stream.Length)
                return null;
        }
    }

    private static ImageHeaderInfo? WebP(Stream stream)
    {
        var head = ReadExactly(stream, 30);
        var chunk = head.AsSpan(12, 4);
        if (chunk.SequenceEqual("VP8X"u8))
        {
            // Canvas size minus one, 24-bit little-endian, at offsets 24 and 27; bit 1 of the flags marks an animation.
            var width = (uint)(head[24] | head[25] << 8 | head[26] << 16) + 1;
            var height = (uint)(head[27] | head[28] << 8 | head[29] << 16) + 1;
            return Valid(width, height, (head[20] & 0x02) != 0 ? 2 : 1);
        }
        if (chunk.SequenceEqual("VP8L"u8))
        {
            // After the 0x2F signature: 14 bits width-1, 14 bits height-1.
            if (head[20] != 0x2F) return null;
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(21));
            return Valid((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, 1);
        }
        if (chunk.SequenceEqual("VP8 "u8))
        {
            // Frame tag (3), start code 9D 01 2A, then 14-bit width and height.
            if (head[23] != 0x9D || head[24] != 0x01 || head[25] != 0x2A) return null;
            return Valid(BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(26)) & 0x3FFFu, BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(28)) & 0x3FFFu, 1);
        }
        return null;
    }

    private static ImageHeaderInfo? Valid(uint width, uint height, int frames) =>
        width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue ? null : new ImageHeaderInfo((int)width, (int)height, frames);
}
