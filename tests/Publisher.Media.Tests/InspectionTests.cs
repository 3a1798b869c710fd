using System.Buffers.Binary;
using System.Diagnostics;
using NetVips;
using Publisher.Media.Inspection;

namespace Publisher.Media.Tests;

/// <summary>Every bad file gets its own clear message; good images and videos are read for what they really are.</summary>
public sealed class InspectionTests : IDisposable
{
    private readonly TestImages _images = new();
    private readonly MediaInspector _inspector = new(new MediaOptions { MaxImageBytes = 5 * 1024 * 1024, MaxVideoBytes = 20 * 1024 * 1024 }, new VideoTools());

    public void Dispose() => _images.Dispose();

    private string Write(string name, byte[] bytes)
    {
        var path = _images.Path(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private Task<InspectionResult> Inspect(string path, string? type, string? name = null) =>
        _inspector.InspectAsync(path, type, name ?? Path.GetFileName(path), CancellationToken.None);

    private static byte[] SmallPng()
    {
        using var image = TestImages.Photo(40, 30);
        return image.PngsaveBuffer();
    }

    private static byte[] SmallJpeg()
    {
        using var image = TestImages.Photo(40, 30);
        return image.JpegsaveBuffer();
    }

    [Fact]
    public async Task A_good_jpeg_is_taken_with_its_real_type_and_size()
    {
        var result = await Inspect(Write("ok.jpg", SmallJpeg()), "image/jpeg");
        var media = Assert.IsType<InspectedMedia>(result.Media);
        Assert.Equal((MediaTypes.Jpeg, MediaKind.Image, 40, 30), (media.ContentType, media.Kind, media.Width, media.Height));
    }

    [Fact]
    public async Task A_rotated_photo_reports_the_size_people_see_and_an_animated_gif_its_frames()
    {
        var rotated = Assert.IsType<InspectedMedia>((await Inspect(_images.RotatedWithGps(), "image/jpeg")).Media);
        Assert.Equal((400, 800), (rotated.Width, rotated.Height));
        var gif = Assert.IsType<InspectedMedia>((await Inspect(_images.AnimatedGif(5), "image/gif")).Media);
        Assert.Equal((MediaKind.AnimatedGif, 5, 300, 200), (gif.Kind, gif.Frames, gif.Width, gif.Height));
    }

    [Fact]
    public async Task Bytes_that_do_not_match_the_declared_type_are_refused()
    {
        var result = await Inspect(Write("photo.png", SmallJpeg()), "image/png");
        Assert.Equal("mismatch", result.Refusal!.Code);
        Assert.Contains("says it is a PNG image, but its bytes are a JPEG image", result.Refusal.Message);
    }

    [Fact]
    public async Task Svg_and_html_are_refused_whatever_they_claim()
    {
        var svg = await Inspect(Write("logo.svg", "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"u8.ToArray()), "image/svg+xml");
        Assert.Equal("svg", svg.Refusal!.Code);
        Assert.Contains("export it as PNG", svg.Refusal.Message);
        var html = await Inspect(Write("cat.jpg", "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"u8.ToArray()), "image/jpeg");
        Assert.Equal("markup", html.Refusal!.Code);
    }

    [Fact]
    public async Task Empty_and_oversized_files_and_paths_as_names_are_refused()
    {
        Assert.Equal("empty", (await Inspect(Write("empty.png", []), "image/png")).Refusal!.Code);
        var big = new byte[5 * 1024 * 1024 + 10];
        SmallPng().CopyTo(big, 0);
        var tooLarge = (await Inspect(Write("big.png", big), "image/png")).Refusal!;
        Assert.Equal("too-large", tooLarge.Code);
        Assert.Contains("the most Publisher takes for an image is 5 MB", tooLarge.Message);
        Assert.Equal("name-path", (await Inspect(Write("ok.png", SmallPng()), "image/png", "../../etc/passwd.png")).Refusal!.Code);
        Assert.Equal("name-path", (await Inspect(Write("ok2.png", SmallPng()), "image/png", "C:\\photos\\a.png")).Refusal!.Code);
    }

    [Fact]
    public async Task A_decompression_bomb_is_refused_from_its_header_before_any_decoding()
    {
        // A valid PNG header claiming 100,000 × 100,000 pixels (10 gigapixels), and no image data to speak of.
        var png = SmallPng();
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 100_000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), 100_000);
        var result = await Inspect(Write("bomb.png", png), "image/png");
        Assert.Equal("too-many-pixels", result.Refusal!.Code);
        Assert.Contains("100,000 × 100,000 pixels", result.Refusal.Message);
        Assert.Contains("the most Publisher takes is 50 megapixels", result.Refusal.Message);
    }

    [Theory]
    [InlineData("gif-screen")]
    [InlineData("gif-frame")]
    [InlineData("webp-vp8x")]
    [InlineData("webp-vp8l")]
    [InlineData("jpeg-sof")]
    public async Task Every_format_s_header_is_read_for_the_pixel_limit_before_decoding(string lie)
    {
        // Each a real, small image whose header is rewritten to claim far more pixels than the file holds.
        byte[] bytes;
        string type;
        switch (lie)
        {
            case "gif-screen" or "gif-frame":
            {
                using var image = TestImages.Photo(40, 30);
                bytes = image.GifsaveBuffer();
                type = MediaTypes.Gif;
                if (lie == "gif-screen")
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), 60_000);
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 60_000);
                }
                else
                {
                    // The first image descriptor (0x2C) after the header and colour table: its width and height.
                    var descriptor = Array.IndexOf(bytes, (byte)0x2C, 13 + ((bytes[10] & 0x80) != 0 ? 3 * (1 << ((bytes[10] & 7) + 1)) : 0));
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(descriptor + 5), 60_000);
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(descriptor + 7), 60_000);
                }
                break;
            }
            case "webp-vp8x":
            {
                using var image = TestImages.Photo(40, 30);
                using var alpha = image.Bandjoin(255); // an alpha channel makes libwebp write the extended (VP8X) header
                bytes = alpha.WebpsaveBuffer(lossless: false);
                type = MediaTypes.WebP;
                Assert.Equal("VP8X", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
                bytes[24] = bytes[25] = bytes[26] = 0xFF; // canvas 16,777,216 wide
                bytes[27] = bytes[28] = bytes[29] = 0xFF;
                break;
            }
            case "webp-vp8l":
            {
                using var image = TestImages.Photo(40, 30);
                bytes = image.WebpsaveBuffer(lossless: true, keep: Enums.ForeignKeep.None); // no metadata: the simple lossless header
                type = MediaTypes.WebP;
                Assert.Equal("VP8L", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
                var bits = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(21)) & ~0x0FFFFFFFu;
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(21), bits | 0x0FFFFFFFu); // 16,384 × 16,384
                break;
            }
            default:
            {
                bytes = SmallJpeg();
                type = MediaTypes.Jpeg;
                var sof = 2;
                while (!(bytes[sof] == 0xFF && bytes[sof + 1] is 0xC0 or 0xC2))
                    sof += 2 + BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(sof + 2));
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + 5), 65_000);
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + 7), 65_000);
                break;
            }
        }
        var refusal = (await Inspect(Write($"bomb-{lie}.{MediaTypes.Extension(type)}", bytes), type)).Refusal;
        Assert.NotNull(refusal);
        Assert.Equal("too-many-pixels", refusal.Code);
        Assert.Contains("megapixels", refusal.Message);
    }

    [Theory]
    [InlineData("photo\u0000.jpg", "name-control")]
    [InlineData("photo\u202Egpj.exe", "name-control")] // shows as "photoexe.jpg"
    [InlineData("photo\u2066.jpg", "name-control")]
    [InlineData("lone-surrogate", "name-control")]
    [InlineData("..", "name-path")]
    [InlineData("...", "name-path")]
    [InlineData("..\\..\\boot.ini", "name-path")]
    [InlineData("secret\uFF0Fphoto.jpg", "name-path")] // full-width solidus
    [InlineData("secret\uFF3Cphoto.jpg", "name-path")] // full-width reverse solidus
    [InlineData("secret\u2215photo.jpg", "name-path")] // division slash
    [InlineData("c:photo.jpg", "name-path")]
    [InlineData("   ", "name-missing")]
    public async Task A_name_that_is_a_path_or_hides_characters_is_refused_before_any_byte_is_read(string name, string code)
    {
        // xUnit cannot carry a lone surrogate in a test's data, so it is made here.
        if (name == "lone-surrogate") name = "\uD800photo.jpg";
        Assert.Equal(code, MediaInspector.CheckName(name)?.Code);
        Assert.Equal(code, (await Inspect(Write("named.png", SmallPng()), "image/png", name)).Refusal?.Code);
    }

    [Fact]
    public void Ordinary_names_in_any_script_are_kept()
    {
        foreach (var name in new[] { "Röstung 2026.jpg", "焙煎所.png", "café—menu (1).webp", "👩‍🍳 chef.gif", "a.b.c.jpg", new string('a', MediaInspector.MaxNameLength) })
            Assert.Null(MediaInspector.CheckName(name));
        Assert.Equal("name-long", MediaInspector.CheckName(new string('a', MediaInspector.MaxNameLength + 1))?.Code);
    }

    [Fact]
    public async Task A_damaged_file_is_refused_as_damaged()
    {
        var jpeg = SmallJpeg();
        var cut = jpeg.AsSpan(0, 20).ToArray(); // the start of the headers, nothing more
        Assert.Equal("corrupt", (await Inspect(Write("cut.jpg", cut), "image/jpeg")).Refusal!.Code);
        var garbage = new byte[4000];
        new Random(7).NextBytes(garbage);
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(garbage, 0);
        var refusal = (await Inspect(Write("garbage.png", garbage), "image/png")).Refusal!;
        Assert.Equal("corrupt", refusal.Code);
        Assert.Contains("damaged", refusal.Message);
    }

    [Fact]
    public async Task A_video_is_read_by_ffprobe_and_gets_a_poster_frame()
    {
        var path = _images.Path("clip.mp4");
        await TestVideos.MakeAsync(path, seconds: 2, width: 320, height: 240);
        var media = Assert.IsType<InspectedMedia>((await Inspect(path, "video/mp4")).Media);
        Assert.Equal((MediaKind.Video, 320, 240, "h264"), (media.Kind, media.Width, media.Height, media.Video!.VideoCodec));
        Assert.InRange(media.Duration!.Value.TotalSeconds, 1.9, 2.1);

        var poster = _images.Path("poster.jpg");
        Assert.True(await new VideoTools().PosterAsync(path, poster, 2000, CancellationToken.None));
        using var image = Image.NewFromFile(poster);
        Assert.Equal((320, 240), (image.Width, image.Height));
    }

    [Fact]
    public async Task A_damaged_video_is_refused()
    {
        var bytes = new byte[3000];
        new Random(3).NextBytes(bytes);
        // An MP4 box header ("ftyp isom") followed by noise.
        new byte[] { 0, 0, 0, 0x18 }.CopyTo(bytes, 0);
        "ftypisom"u8.CopyTo(bytes.AsSpan(4));
        var refusal = (await Inspect(Write("broken.mp4", bytes), "video/mp4")).Refusal!;
        Assert.Equal("corrupt", refusal.Code);
    }
}

public static class TestVideos
{
    /// <summary>A test video made by ffmpeg's own test source, encoded with H.264.</summary>
    public static async Task MakeAsync(string path, int seconds, int width, int height)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc=duration={seconds}:size={width}x{height}:rate=25", "-c:v", "libx264", "-pix_fmt", "yuv420p", path })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"ffmpeg could not make the test video: {errors}");
    }
}

/// <summary>What cannot fit a channel is found while writing, with a message that says what to do.</summary>
public sealed class MediaFitTests
{
    private static Rules.FitItem Image(string alt = "A cup") => new(MediaKind.Image, MediaTypes.Jpeg, 100_000, 2000, 1333, null, null, alt, "cup.jpg");
    private static Rules.FitItem Video(double seconds, string codec = "h264") => new(MediaKind.Video, MediaTypes.Mp4, 20_000_000, 1920, 1080, TimeSpan.FromSeconds(seconds), codec, "A tour", "tour.mp4");

    [Fact]
    public void Five_images_are_too_many_for_x_and_a_video_cannot_join_images()
    {
        var x = Rules.ChannelMediaTable.For("X")!;
        var problems = Rules.MediaFit.Check(x, Enumerable.Range(0, 5).Select(_ => Image()).ToList());
        Assert.Contains(problems, p => p.Code == "media.too-many" && p.Message.Contains("X takes at most 4 media"));
        Assert.Contains(Rules.MediaFit.Check(x, [Image(), Video(30)]), p => p.Code == "media.video-alone");
        Assert.Empty(Rules.MediaFit.Check(x, [Image(), Image(), Image(), Image()]));
    }

    [Fact]
    public void Instagram_needs_at_least_one_medium_and_takes_a_carousel_of_ten_while_threads_takes_text_alone()
    {
        var instagram = Rules.ChannelMediaTable.For("Instagram")!;
        var required = Assert.Single(Rules.MediaFit.Check(instagram, []));
        Assert.Equal("media.required", required.Code);
        Assert.Contains("Instagram takes no post without an image or a video", required.Message);
        Assert.Empty(Rules.MediaFit.Check(instagram, [Image()]));
        Assert.Empty(Rules.MediaFit.Check(instagram, [Image(), Image(), Video(30)]));
        Assert.Contains(Rules.MediaFit.Check(instagram, Enumerable.Range(0, 11).Select(_ => Image()).ToList()), p => p.Code == "media.too-many");
        Assert.Contains(Rules.MediaFit.Check(instagram, [Video(2)]), p => p.Code == "media.video-too-short");
        Assert.Empty(Rules.MediaFit.Check(Rules.ChannelMediaTable.For("Threads")!, []));
    }

    [Fact]
    public void Video_length_and_codec_are_checked_against_each_network()
    {
        Assert.Contains(Rules.MediaFit.Check(Rules.ChannelMediaTable.For("X")!, [Video(200)]), p => p.Code == "media.video-too-long" && p.Message.Contains("up to 140 s"));
        Assert.Empty(Rules.MediaFit.Check(Rules.ChannelMediaTable.For("LinkedIn")!, [Video(200)]));
        Assert.Contains(Rules.MediaFit.Check(Rules.ChannelMediaTable.For("LinkedIn")!, [Video(2)]), p => p.Code == "media.video-too-short");
        Assert.Contains(Rules.MediaFit.Check(Rules.ChannelMediaTable.For("Bluesky")!, [Video(30, "hevc")]), p => p.Code == "media.video-codec");
    }

    [Fact]
    public void A_mov_is_refused_for_the_facebook_page_whose_upload_takes_only_mp4_and_taken_elsewhere()
    {
        var mov = Video(30) with { ContentType = MediaTypes.QuickTime, FileName = "tour.mov" };
        var problem = Assert.Single(Rules.MediaFit.Check(Rules.ChannelMediaTable.For("FacebookPage")!, [mov]));
        Assert.Equal("media.video-type", problem.Code);
        Assert.Contains("“tour.mov” is a QuickTime (MOV) video; Facebook Page takes an MP4 video", problem.Message);
        Assert.Empty(Rules.MediaFit.Check(Rules.ChannelMediaTable.For("FacebookPage")!, [Video(30)]));
        foreach (var kind in new[] { "X", "LinkedIn", "Mastodon", "Bluesky" })
            Assert.DoesNotContain(Rules.MediaFit.Check(Rules.ChannelMediaTable.For(kind)!, [mov]), p => p.Code == "media.video-type");
    }

    [Fact]
    public void An_alt_text_longer_than_the_network_keeps_is_an_error()
    {
        Assert.Contains(Rules.MediaFit.Check(Rules.ChannelMediaTable.For("X")!, [Image(new string('a', 1001))]), p => p.Code == "media.alt-too-long");
        Assert.Empty(Rules.MediaFit.Check(Rules.ChannelMediaTable.For("Mastodon")!, [Image(new string('a', 1001))]));
    }

    [Fact]
    public void A_mastodon_instance_s_own_limits_replace_the_defaults()
    {
        using var json = System.Text.Json.JsonDocument.Parse("""
            {"configuration":{"statuses":{"max_media_attachments":6},"media_attachments":{"image_size_limit":8388608,"image_matrix_limit":16777216,"video_size_limit":41943040,"description_limit":1000}}}
            """);
        var rules = Publisher.Core.Media.ChannelMediaRulesSource.FromInstance(Rules.ChannelMediaTable.For("Mastodon")!, json.RootElement);
        Assert.Equal((6, 8_388_608L, 41_943_040L, 1000), (rules.MaxItems!.Value, rules.MaxImageBytes, rules.MaxVideoBytes, rules.MaxAltTextLength));
        Assert.Equal(16_777_216L, rules.MaxImagePixels);
    }
}
