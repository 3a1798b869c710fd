using System.Diagnostics;
using Publisher.Core.Media;
using Publisher.Media;
using Publisher.Media.Processing;
using ImageSharpImage = SixLabors.ImageSharp.Image;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Processing;

namespace Publisher.Bench.Media;

/// <summary>
/// Every channel's derivatives of one 24-megapixel JPEG, on one core, made by libvips (Publisher's way) and, in the same
/// run, the same work by ImageSharp 2.1 (decode, orient, fit each channel's box, crop Instagram's shape, encode JPEG with
/// the quality lowered until the channel's byte limit holds, no metadata). Each library runs in a child process of its
/// own so its peak resident memory (VmHWM) is its alone. Run:
/// <c>dotnet run -c Release --project bench -- media [runs]</c>.
/// </summary>
public static class DerivativesHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length >= 3 && args[0] is "vips" or "imagesharp")
            return RunOne(args[0], args[1], int.Parse(args[2]));
        var runs = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 15;
        var load = () => File.ReadAllText("/proc/loadavg").Split(' ')[0];
        Console.WriteLine($"{LibraryMediaSpecs().Count} distinct specs for {Publisher.Media.Rules.ChannelMediaTable.All.Count} channels; load average {load()}");
        foreach (var (name, make) in Sources())
        {
            var path = Path.Combine(Path.GetTempPath(), $"publisher-bench-24mp-{name}.jpg");
            make(path);
            Console.WriteLine($"source ({name}): 6000 x 4000 JPEG at quality 92, {new FileInfo(path).Length / 1024.0 / 1024:0.0} MB");
            var results = new Dictionary<string, double>();
            foreach (var library in new[] { "vips", "imagesharp" })
            {
                var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
                // Started through the apphost (dotnet run), the child is the apphost again; started as "dotnet bench.dll", it needs the dll.
                if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
                    start.ArgumentList.Add(typeof(DerivativesHarness).Assembly.Location);
                start.ArgumentList.Add("media");
                start.ArgumentList.Add(library);
                start.ArgumentList.Add(path);
                start.ArgumentList.Add(runs.ToString());
                // As the launcher starts the web app and the worker (see NativeHeap).
                start.Environment["MALLOC_ARENA_MAX"] = "2";
                using var child = Process.Start(start)!;
                var output = await child.StandardOutput.ReadToEndAsync();
                await child.WaitForExitAsync();
                Console.Write(output);
                var median = output.Split('\n').FirstOrDefault(l => l.StartsWith("median_ms=", StringComparison.Ordinal));
                if (median is not null) results[library] = double.Parse(median["median_ms=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
            if (results.Count == 2)
                Console.WriteLine($"ratio ({name}): ImageSharp takes {results["imagesharp"] / results["vips"]:0.0}× as long as libvips; load average now {load()}");
            File.Delete(path);
        }
        return 0;
    }

    /// <summary>
    /// The sources, made here. "photo": like a camera's photograph, most of its detail at large scales with a fine
    /// grain over it (9.0 MB at quality 92, the size 24-megapixel cameras write); "noise": blurred noise, detail at
    /// every point, so 17 MB at the same quality: the worst case for decoding and for fitting byte limits.
    /// </summary>
    private static IEnumerable<(string Name, Action<string> Make)> Sources()
    {
        yield return ("photo", path =>
        {
            static NetVips.Image Layer(int width, int height, double sigma, double scale) =>
                NetVips.Image.Gaussnoise(width, height, sigma: sigma, mean: 0).Resize(scale, kernel: NetVips.Enums.Kernel.Cubic);
            using var sky = Layer(60, 40, 50, 100);
            using var shapes = Layer(375, 250, 25, 16);
            using var texture = Layer(1500, 1000, 12, 4);
            using var grain = NetVips.Image.Gaussnoise(6000, 4000, sigma: 3, mean: 0);
            using var luma = sky + shapes + texture + grain + 128;
            SaveRgb(luma, path);
        });
        yield return ("noise", path =>
        {
            using var noise = NetVips.Image.Gaussnoise(1500, 1000, sigma: 60, mean: 128).Resize(4.0);
            SaveRgb(noise, path);
        });
    }

    /// <summary>Three different bands from one (the image mirrored), as sRGB at quality 92.</summary>
    private static void SaveRgb(NetVips.Image band, string path)
    {
        using var rgb = band.Bandjoin(band.Flip(NetVips.Enums.Direction.Horizontal), band.Flip(NetVips.Enums.Direction.Vertical))
            .Cast(NetVips.Enums.BandFormat.Uchar).Copy(interpretation: NetVips.Enums.Interpretation.Srgb);
        rgb.Jpegsave(path, q: 92);
    }

    private static IReadOnlyList<DerivativeSpec> LibraryMediaSpecs() => MediaLibrary.AllSpecs();

    private static int RunOne(string library, string path, int runs)
    {
        var specs = LibraryMediaSpecs();
        var times = new List<double>();
        long bytes = 0;
        if (library == "vips")
        {
            NetVips.NetVips.Concurrency = 1;
            var maker = new DerivativeMaker();
            for (var i = 0; i <= runs; i++)
            {
                var clock = Stopwatch.StartNew();
                var made = maker.Make(path, MediaTypes.Jpeg, false, specs);
                clock.Stop();
                bytes = made.Sum(m => m.Length);
                if (i > 0) times.Add(clock.Elapsed.TotalMilliseconds); // the first run loads libvips
            }
        }
        else
        {
            Configuration.Default.MaxDegreeOfParallelism = 1;
            for (var i = 0; i <= runs; i++)
            {
                var clock = Stopwatch.StartNew();
                bytes = ImageSharpDerivatives(path, specs);
                clock.Stop();
                if (i > 0) times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        times.Sort();
        var peak = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        Console.WriteLine($"{library}: median {times[times.Count / 2]:0} ms, min {times[0]:0} ms over {runs} runs; {bytes / 1024} KB of derivatives; peak resident memory {peak["VmHWM:".Length..].Trim()}");
        Console.WriteLine(FormattableString.Invariant($"median_ms={times[times.Count / 2]:0.0}"));
        return 0;
    }

    private static long ImageSharpDerivatives(string path, IReadOnlyList<DerivativeSpec> specs)
    {
        using var source = ImageSharpImage.Load(path);
        source.Mutate(x => x.AutoOrient());
        source.Metadata.ExifProfile = null;
        source.Metadata.IccProfile = null;
        long total = 0;
        foreach (var spec in specs)
        {
            using var image = source.Clone(x =>
            {
                if (spec.Crops)
                {
                    var ratio = (double)source.Width / source.Height;
                    var target = Math.Clamp(ratio, spec.MinAspectRatio ?? ratio, spec.MaxAspectRatio ?? ratio);
                    if (target < ratio) x.Crop(new Rectangle((int)((source.Width - source.Height * target) / 2), 0, (int)(source.Height * target), source.Height));
                    else if (target > ratio) x.Crop(new Rectangle(0, (int)((source.Height - source.Width / target) / 2), source.Width, (int)(source.Width / target)));
                }
                x.Resize(new ResizeOptions { Mode = ResizeMode.Max, Size = new Size(spec.MaxWidth, spec.MaxHeight), Sampler = KnownResamplers.Lanczos3 });
            });
            foreach (var q in new[] { 85, 78, 70, 62, 54, 46, 38 })
            {
                using var stream = new MemoryStream();
                image.SaveAsJpeg(stream, new JpegEncoder { Quality = q });
                if (stream.Length <= spec.MaxBytes || q == 38)
                {
                    total += stream.Length;
                    break;
                }
            }
        }
        return total;
    }
}
