using System.Security.Cryptography;
using Publisher.Worker.Channels;

namespace Publisher.Worker.Tests.Channels;

/// <summary>
/// Media for a <see cref="PublishRequest"/>, as the publish job hands them over: real image bytes made here with
/// libvips (the fakes check the bytes are what the type says), keyed by their SHA-256, read from memory.
/// </summary>
public static class TestMedia
{
    public static PublishMedia Jpeg(int width = 320, int height = 180, string alt = "A red autumn leaf on wet stone", MediaFocalPoint? focus = null)
    {
        using var image = NetVips.Image.Black(width, height, bands: 3) + new double[] { 200, 60, 20 };
        return Of(image.JpegsaveBuffer(q: 80), PublishMediaKind.Image, "image/jpeg", width, height, alt, focus);
    }

    public static PublishMedia Png(int width = 200, int height = 200, string alt = "The sale's logo: a leaf in a circle")
    {
        using var image = NetVips.Image.Black(width, height, bands: 3) + new double[] { 20, 120, 40 };
        return Of(image.PngsaveBuffer(), PublishMediaKind.Image, "image/png", width, height, alt);
    }

    public static PublishMedia AnimatedGif(string alt = "Leaves falling, looping")
    {
        // Three frames stacked vertically, with the page height that makes them an animation.
        using var frames = NetVips.Image.Black(64, 64 * 3) + 128;
        using var animated = frames.Mutate(m =>
        {
            m.Set(NetVips.GValue.GIntType, "page-height", 64);
            m.Set(NetVips.GValue.ArrayIntType, "delay", new[] { 100, 100, 100 });
            m.Set(NetVips.GValue.GIntType, "loop", 0);
        });
        return Of(animated.GifsaveBuffer(), PublishMediaKind.AnimatedGif, "image/gif", 64, 64, alt, duration: TimeSpan.FromSeconds(0.3));
    }

    /// <summary>An MP4 of <paramref name="length"/> bytes: an ftyp box, then filler (the fakes sniff the box, as servers do).</summary>
    public static PublishMedia Mp4(int length, string alt = "A 20-second tour of the shop")
    {
        var bytes = new byte[length];
        RandomNumberGenerator.Fill(bytes);
        byte[] ftyp = [0, 0, 0, 0x20, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m'];
        ftyp.CopyTo(bytes, 0);
        return Of(bytes, PublishMediaKind.Video, "video/mp4", 1280, 720, alt, duration: TimeSpan.FromSeconds(20));
    }

    public static PublishMedia Of(byte[] bytes, PublishMediaKind kind, string contentType, int width, int height, string alt,
        MediaFocalPoint? focus = null, TimeSpan? duration = null) =>
        new(Convert.ToHexStringLower(SHA256.HashData(bytes)), kind, contentType, bytes.Length, width, height, duration, alt, focus,
            _ => Task.FromResult<Stream>(new MemoryStream(bytes, writable: false)),
            new Uri($"https://publisher.example/media/{Convert.ToHexStringLower(SHA256.HashData(bytes))}/file"));

    /// <summary>The bytes a medium opens to.</summary>
    public static async Task<byte[]> BytesAsync(PublishMedia medium)
    {
        await using var stream = await medium.OpenAsync(CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
