using System.Text;
using NetVips;
using Publisher.Media.Processing;
using Publisher.Media.Rules;
using Publisher.Testing;

namespace Publisher.Media.Tests;

/// <summary>
/// Every channel's derivatives of every test image: dimensions and formats against the golden file
/// (Golden/derivatives.txt; PUBLISHER_UPDATE_GOLDEN=1 writes it, then read the diff), byte sizes against each channel's
/// limit, and what must be gone (metadata, GPS) or done (orientation, sRGB, animation kept or not).
/// </summary>
public sealed class DerivativeTests : IClassFixture<DerivativeTests.Made>
{
    public sealed class Made : IDisposable
    {
        public TestImages Images { get; } = new();
        public Dictionary<string, (string Path, string Type, bool Animated)> Sources { get; } = [];
        public Dictionary<(string Image, string Channel), IReadOnlyList<MadeDerivative>> Derivatives { get; } = [];

        public Made()
        {
            Sources["large"] = (Images.Large(), MediaTypes.Jpeg, false);
            Sources["tall"] = (Images.Tall(), MediaTypes.Png, false);
            Sources["wide"] = (Images.Wide(), MediaTypes.Jpeg, false);
            Sources["transparent"] = (Images.TransparentPng(), MediaTypes.Png, false);
            Sources["animated"] = (Images.AnimatedGif(), MediaTypes.Gif, true);
            Sources["cmyk"] = (Images.CmykJpeg(), MediaTypes.Jpeg, false);
            Sources["rotated-gps"] = (Images.RotatedWithGps(), MediaTypes.Jpeg, false);
            var maker = new DerivativeMaker();
            foreach (var (name, source) in Sources)
            {
                var specs = ChannelMediaTable.All.Select(r => (r, DerivativeSpec.For(r))).ToList();
                var made = maker.Make(source.Path, source.Type, source.Animated, specs.SelectMany(s => s.Item2).ToList());
                var at = 0;
                foreach (var (rules, channelSpecs) in specs)
                {
                    Derivatives[(name, rules.Channel)] = made.Skip(at).Take(channelSpecs.Count).ToList();
                    at += channelSpecs.Count;
                }
            }
        }

        public void Dispose() => Images.Dispose();
    }

    private readonly Made _made;

    public DerivativeTests(Made made) => _made = made;

    private static string GoldenPath => Path.Combine(RepositoryRoot.Path, "tests", "Publisher.Media.Tests", "Golden", "derivatives.txt");

    [Fact]
    public void Every_channel_gets_the_dimensions_and_formats_of_the_golden_file()
    {
        var text = new StringBuilder();
        foreach (var ((image, channel), derivatives) in _made.Derivatives.OrderBy(d => d.Key.Image, StringComparer.Ordinal).ThenBy(d => d.Key.Channel, StringComparer.Ordinal))
            text.Append(image).Append(' ').Append(channel).Append(": ")
                .AppendJoin(", ", derivatives.Select(d => $"{d.Width}x{d.Height} {d.ContentType} {d.Kind}")).Append('\n');
        var actual = text.ToString();
        if (Environment.GetEnvironmentVariable("PUBLISHER_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(GoldenPath)!);
            File.WriteAllText(GoldenPath, actual);
        }
        Assert.True(File.Exists(GoldenPath), "No golden file: run with PUBLISHER_UPDATE_GOLDEN=1 to write it, then read it.");
        Assert.Equal(File.ReadAllText(GoldenPath), actual);
    }

    [Fact]
    public void Every_derivative_fits_its_channels_byte_limit_box_and_formats()
    {
        foreach (var ((image, channel), derivatives) in _made.Derivatives)
        {
            var rules = ChannelMediaTable.For(channel)!;
            foreach (var d in derivatives)
            {
                var limit = d.Kind == MediaKind.AnimatedGif ? rules.MaxGifBytes : rules.MaxImageBytes;
                Assert.True(d.Length <= limit, $"{image} for {channel}: {d.Length:N0} bytes, over {limit:N0}");
                Assert.True(d.Width <= d.Spec.MaxWidth && d.Height <= d.Spec.MaxHeight, $"{image} for {channel}: {d.Width}x{d.Height} outside {d.Spec.MaxWidth}x{d.Spec.MaxHeight}");
                if (d.Kind == MediaKind.AnimatedGif)
                    Assert.Equal(GifHandling.Animated, rules.Gif);
                else
                    Assert.Contains(d.ContentType, rules.ImageTypes);
                // The bytes are what they say they are.
                Assert.Equal(d.ContentType, Inspection.MediaSniffer.Sniff(d.Bytes.AsSpan(0, Math.Min(512, d.Bytes.Length))));
                if (rules.MinAspectRatio is { } min)
                    Assert.InRange((double)d.Width / d.Height, min - 0.01, rules.MaxAspectRatio!.Value + 0.01);
            }
        }
    }

    [Fact]
    public void A_large_photo_is_shrunk_to_each_channel_and_bluesky_gets_under_a_million_bytes()
    {
        var bluesky = Assert.Single(_made.Derivatives[("large", "Bluesky")]);
        Assert.True(bluesky.Length <= 1_000_000);
        Assert.Equal(2000, Math.Max(bluesky.Width, bluesky.Height));
        var blog = _made.Derivatives[("large", "Blog")];
        Assert.Equal([480, 960, 1440, 2000], blog.Select(d => d.Width));
        Assert.Equal(1200, Assert.Single(_made.Derivatives[("large", "Email")]).Width);
    }

    [Fact]
    public void Metadata_is_stripped_so_the_gps_position_is_gone_and_the_exif_orientation_is_applied()
    {
        using (var source = Image.NewFromFile(_made.Sources["rotated-gps"].Path))
        {
            // The source really has what must go: an EXIF block with a GPS latitude, and orientation 6.
            Assert.Contains("exif-data", source.GetFields());
            Assert.Contains(source.GetFields(), f => f.StartsWith("exif-ifd3-GPSLatitude", StringComparison.Ordinal));
            Assert.Equal(6, (int)source.Get("orientation"));
            Assert.Equal(800, source.Width);
        }
        foreach (var ((image, channel), derivatives) in _made.Derivatives)
        {
            foreach (var d in derivatives)
            {
                using var output = Image.NewFromBuffer(d.Bytes);
                var fields = output.GetFields();
                Assert.DoesNotContain("exif-data", fields);
                Assert.DoesNotContain("xmp-data", fields);
                Assert.DoesNotContain("icc-profile-data", fields);
                Assert.DoesNotContain(fields, f => f.Contains("GPS", StringComparison.Ordinal));
                if (image == "rotated-gps")
                    Assert.True(d.Height > d.Width, $"{channel}: {d.Width}x{d.Height} is not upright");
            }
        }
    }

    [Fact]
    public void A_cmyk_jpeg_becomes_srgb_and_a_transparent_png_stays_transparent_where_png_is_taken()
    {
        using (var source = Image.NewFromFile(_made.Sources["cmyk"].Path))
            Assert.Equal(Enums.Interpretation.Cmyk, source.Interpretation);
        foreach (var d in _made.Derivatives.Where(x => x.Key.Image == "cmyk").SelectMany(x => x.Value))
        {
            using var output = Image.NewFromBuffer(d.Bytes);
            Assert.Equal(3, output.Bands);
            Assert.Equal(Enums.Interpretation.Srgb, output.Interpretation);
        }
        var x = Assert.Single(_made.Derivatives[("transparent", "X")]);
        Assert.Equal(MediaTypes.Png, x.ContentType);
        using (var png = Image.NewFromBuffer(x.Bytes))
            Assert.True(png.HasAlpha());
        // Instagram takes JPEG only: the transparency is flattened onto white.
        var instagram = Assert.Single(_made.Derivatives[("transparent", "Instagram")]);
        Assert.Equal(MediaTypes.Jpeg, instagram.ContentType);
    }

    [Fact]
    public void An_animated_gif_stays_animated_where_the_channel_takes_it_and_is_a_still_elsewhere()
    {
        foreach (var rules in ChannelMediaTable.All)
        {
            var d = _made.Derivatives[("animated", rules.Channel)][^1];
            using var output = d.ContentType == MediaTypes.Gif ? Image.NewFromBuffer(d.Bytes, kwargs: new VOption { { "n", -1 } }) : Image.NewFromBuffer(d.Bytes);
            var pages = output.Contains("n-pages") ? (int)output.Get("n-pages") : 1;
            if (rules.Gif == GifHandling.Animated)
            {
                Assert.Equal(MediaKind.AnimatedGif, d.Kind);
                Assert.Equal(8, pages);
            }
            else
            {
                Assert.Equal(MediaKind.Image, d.Kind);
                Assert.Equal(1, pages);
            }
        }
    }

    [Fact]
    public void Instagram_crops_to_its_shapes_around_the_focal_point()
    {
        var maker = new DerivativeMaker();
        var rules = ChannelMediaTable.For("Instagram")!;
        var left = maker.Make(_made.Sources["wide"].Path, MediaTypes.Jpeg, false, DerivativeSpec.For(rules, new FocalPoint(0, 0.5)))[0];
        var right = maker.Make(_made.Sources["wide"].Path, MediaTypes.Jpeg, false, DerivativeSpec.For(rules, new FocalPoint(1, 0.5)))[0];
        Assert.InRange((double)left.Width / left.Height, 1.9, 1.92);
        Assert.NotEqual(left.Sha256, right.Sha256);
        Assert.NotEqual(left.Spec.Key, right.Spec.Key);
    }
}
