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
            var processor = new Dictionary<string, double>();
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
                var cpu = output.Split('\n').FirstOrDefault(l => l.StartsWith("median_cpu_ms=", StringComparison.Ordinal));
                if (cpu is not null) processor[library] = double.Parse(cpu["median_cpu_ms=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
            if (results.Count == 2)
                Console.WriteLine($"ratio ({name}): ImageSharp takes {results["imagesharp"] / results["vips"]:0.0}× as long as libvips by the clock, {processor["imagesharp"] / processor["vips"]:0.0}× the processor time; load average now {load()}");
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
        var cpu = new List<double>();
        long bytes = 0;
        var self = Process.GetCurrentProcess();
        if (library == "vips")
        {
            NetVips.NetVips.Concurrency = 1;
            var maker = new DerivativeMaker();
            for (var i = 0; i <= runs; i++)
            {
                self.Refresh();
                var used = self.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var made = maker.Make(path, MediaTypes.Jpeg, false, specs);
                clock.Stop();
                self.Refresh();
                bytes = made.Sum(m => m.Length);
                if (i > 0) // the first run loads libvips
                {
                    times.Add(clock.Elapsed.TotalMilliseconds);
                    cpu.Add((self.TotalProcessorTime - used).TotalMilliseconds);
                }
            }
        }
        else
        {
            Configuration.Default.MaxDegreeOfParallelism = 1;
            for (var i = 0; i <= runs; i++)
            {
                self.Refresh();
                var used = self.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                bytes = ImageSharpDerivatives(path, specs);
                clock.Stop();
                self.Refresh();
                if (i > 0)
                {
                    times.Add(clock.Elapsed.TotalMilliseconds);
                    cpu.Add((self.TotalProcessorTime - used).TotalMilliseconds);
                }
            }
        }
        times.Sort();
        cpu.Sort();
        var peak = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        // Processor time counts every thread of the process (the runtime's too), and unlike the clock it does not grow while
        // other processes hold the cores: the figure to read on a busy machine.
        Console.WriteLine($"{library}: median {times[times.Count / 2]:0} ms, min {times[0]:0} ms over {runs} runs; processor time median {cpu[cpu.Count / 2]:0} ms; {bytes / 1024} KB of derivatives; peak resident memory {peak["VmHWM:".Length..].Trim()}");
        Console.WriteLine(FormattableString.Invariant($"median_ms={times[times.Count / 2]:0.0}"));
        Console.WriteLine(FormattableString.Invariant($"median_cpu_ms={cpu[cpu.Count / 2]:0.0}"));
        return 0;
    }

    /// <summary>
    /// The same work with ImageSharp, written as carefully as Publisher's own: decoded once (ImageSharp 2.1 cannot shrink
    /// a JPEG on load), turned upright, metadata dropped, resized once into the largest box; each spec then crops and
    /// resizes from that, specs of the same size share the resized image and its encodings, and the quality ladder is
    /// searched by halves.
    /// </summary>
    private static long ImageSharpDerivatives(string path, IReadOnlyList<DerivativeSpec> specs)
    {
        using var source = ImageSharpImage.Load(path);
        source.Mutate(x => x.AutoOrient());
        source.Metadata.ExifProfile = null;
        source.Metadata.IccProfile = null;
        source.Mutate(x => x.Resize(new ResizeOptions
        {
            Mode = ResizeMode.Max, Size = new Size(specs.Max(s => s.MaxWidth), specs.Max(s => s.MaxHeight)), Sampler = KnownResamplers.Lanczos3,
        }));
        var sized = new Dictionary<(Rectangle, Size), ImageSharpImage>();
        var encoded = new Dictionary<(Rectangle, Size, int), long>();
        long total = 0;
        try
        {
            foreach (var spec in specs)
            {
                var crop = new Rectangle(0, 0, source.Width, source.Height);
                if (spec.Crops)
                {
                    var ratio = (double)source.Width / source.Height;
                    var target = Math.Clamp(ratio, spec.MinAspectRatio ?? ratio, spec.MaxAspectRatio ?? ratio);
                    if (target < ratio) crop = new Rectangle((int)((source.Width - source.Height * target) / 2), 0, (int)(source.Height * target), source.Height);
                    else if (target > ratio) crop = new Rectangle(0, (int)((source.Height - source.Width / target) / 2), source.Width, (int)(source.Width / target));
                }
                var scale = Math.Min(1.0, Math.Min((double)spec.MaxWidth / crop.Width, (double)spec.MaxHeight / crop.Height));
                var size = new Size(Math.Max(1, (int)Math.Round(crop.Width * scale)), Math.Max(1, (int)Math.Round(crop.Height * scale)));
                if (!sized.TryGetValue((crop, size), out var image))
                    sized[(crop, size)] = image = source.Clone(x => { x.Crop(crop); if (size != crop.Size) x.Resize(size, KnownResamplers.Lanczos3, false); });
                long Encode(int rung)
                {
                    if (!encoded.TryGetValue((crop, size, rung), out var length))
                    {
                        using var stream = new MemoryStream();
                        image.SaveAsJpeg(stream, new JpegEncoder { Quality = Qualities[rung] });
                        encoded[(crop, size, rung)] = length = stream.Length;
                    }
                    return length;
                }
                int tooBig = -1, fits = Qualities.Length - 1;
                if (Encode(0) <= spec.MaxBytes) fits = 0;
                else
                    for (tooBig = 0; fits - tooBig > 1;)
                    {
                        var middle = (tooBig + fits) / 2;
                        if (Encode(middle) <= spec.MaxBytes) fits = middle;
                        else tooBig = middle;
                    }
                total += Encode(fits);
            }
        }
        finally
        {
            foreach (var image in sized.Values) image.Dispose();
        }
        return total;
    }

    private static readonly int[] Qualities = [85, 78, 70, 62, 54, 46, 38];
}
