using System.Buffers.Binary;
using NetVips;

namespace Publisher.Media.Tests;

/// <summary>
/// The test images, made by the tests themselves with libvips (nothing downloaded, nothing checked in): a 24-megapixel
/// photo-like JPEG, a tall and a wide one, a transparent PNG, an animated GIF, a CMYK JPEG, and a JPEG whose EXIF says
/// "rotate 90°" and carries a GPS position.
/// </summary>
public sealed class TestImages : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("publisher-media-tests-").FullName;

    public string Path(string name) => System.IO.Path.Combine(Folder, name);

    /// <summary>Smooth noise in three bands: compresses like a photo, not like a flat colour.</summary>
    public static Image Photo(int width, int height)
    {
        using var noise = Image.Gaussnoise(Math.Max(1, width / 4), Math.Max(1, height / 4), sigma: 60, mean: 128);
        using var big = noise.Resize(4.0, kernel: Enums.Kernel.Linear);
        using var cropped = big.Crop(0, 0, Math.Min(width, big.Width), Math.Min(height, big.Height));
        using var sized = cropped.Embed(0, 0, width, height, extend: Enums.Extend.Mirror);
        using var rgb = sized.Bandjoin(sized.Flip(Enums.Direction.Horizontal), sized.Flip(Enums.Direction.Vertical));
        return rgb.Cast(Enums.BandFormat.Uchar).Copy(interpretation: Enums.Interpretation.Srgb);
    }

    public string Large() => Save("large.jpg", Photo(6000, 4000), i => i.Jpegsave(Path("large.jpg"), q: 92));
    public string Tall() => Save("tall.png", Photo(1000, 5000), i => i.Pngsave(Path("tall.png"), compression: 1));
    public string Wide() => Save("wide.jpg", Photo(5000, 800), i => i.Jpegsave(Path("wide.jpg"), q: 90));

    public string TransparentPng()
    {
        using var photo = Photo(800, 600);
        using var alpha = (Image.Xyz(800, 600)[0] * (255.0 / 800)).Cast(Enums.BandFormat.Uchar);
        return Save("transparent.png", photo.Bandjoin(alpha).Copy(interpretation: Enums.Interpretation.Srgb), i => i.Pngsave(Path("transparent.png")));
    }

    /// <summary>An animated GIF of <paramref name="frames"/> frames of 300 × 200.</summary>
    public string AnimatedGif(int frames = 8)
    {
        var pages = Enumerable.Range(0, frames).Select(f => Photo(300, 200) + (f * 10.0)).ToArray();
        using var strip = Image.Arrayjoin(pages, across: 1).Cast(Enums.BandFormat.Uchar);
        using var animated = strip.Mutate(m =>
        {
            m.Set(GValue.GIntType, "page-height", 200);
            m.Set(GValue.ArrayIntType, "delay", Enumerable.Repeat(100, frames).ToArray());
            m.Set(GValue.GIntType, "loop", 0);
        });
        animated.Gifsave(Path("animated.gif"));
        foreach (var page in pages) page.Dispose();
        return Path("animated.gif");
    }

    public string CmykJpeg()
    {
        using var photo = Photo(1200, 800);
        using var cmyk = photo.Colourspace(Enums.Interpretation.Cmyk);
        cmyk.Jpegsave(Path("cmyk.jpg"), q: 90);
        return Path("cmyk.jpg");
    }

    /// <summary>800 × 400 pixels stored, EXIF orientation 6 (shown as 400 × 800), with a GPS position in its EXIF.</summary>
    public string RotatedWithGps()
    {
        using var photo = Photo(800, 400);
        using var withExif = photo.Mutate(m => m.Set(GValue.BlobType, "exif-data", ExifWithOrientationAndGps(6)));
        withExif.Jpegsave(Path("rotated-gps.jpg"), q: 90, keep: Enums.ForeignKeep.Exif);
        return Path("rotated-gps.jpg");
    }

    /// <summary>A minimal EXIF block (little-endian TIFF): IFD0 with Orientation and a GPS IFD holding a latitude.</summary>
    public static byte[] ExifWithOrientationAndGps(ushort orientation)
    {
        var tiff = new byte[8 + 2 + 2 * 12 + 4 + 2 + 2 * 12 + 4 + 24];
        var span = tiff.AsSpan();
        "II"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], 42);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], 8);
        var at = 8;
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], 2); at += 2;
        Entry(span, ref at, 0x0112, 3, 1, orientation); // Orientation, SHORT
        var gpsIfd = 8 + 2 + 2 * 12 + 4;
        Entry(span, ref at, 0x8825, 4, 1, (uint)gpsIfd); // GPSInfo pointer, LONG
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], 0); at += 4;
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], 2); at += 2;
        Entry(span, ref at, 0x0001, 2, 2, 'N'); // GPSLatitudeRef, ASCII "N\0"
        var rationals = gpsIfd + 2 + 2 * 12 + 4;
        Entry(span, ref at, 0x0002, 5, 3, (uint)rationals); // GPSLatitude, 3 RATIONALs
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], 0);
        uint[] values = [48, 1, 51, 1, 24, 1];
        for (var i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(span[(rationals + 4 * i)..], values[i]);
        return [.. "Exif\0\0"u8, .. tiff];
    }

    private static void Entry(Span<byte> span, ref int at, ushort tag, ushort type, uint count, uint value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], tag);
        BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 2)..], type);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 4)..], count);
        if (type == 3) BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 8)..], (ushort)value);
        else if (type == 2) span[at + 8] = (byte)value;
        else BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 8)..], value);
        at += 12;
    }

    private string Save(string name, Image image, Action<Image> save)
    {
        using (image) save(image);
        return Path(name);
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
