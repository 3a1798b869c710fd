using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Domain;
using Publisher.Testing;

namespace Publisher.Bench.Media;

/// <summary>
/// Whether a video upload streams: posts real H.264 MP4s of about 20 MB and 200 MB (38 and 380 frames) (made here by ffmpeg from random
/// pixels, so nothing compresses them) to <c>POST /api/media</c> of the web app in-process on a throwaway PostgreSQL,
/// streamed from disk, and samples the process's resident memory every 20 ms while each upload runs (the app
/// streams it to a temporary file, probes it with ffprobe, makes a poster frame and stores it in PostgreSQL in 1 MiB
/// chunks). Bounded means the 200 MB upload's peak growth is about the 20 MB upload's, not ten times it.
/// Run: <c>dotnet run -c Release --project bench -- video [rounds]</c>.
/// </summary>
public static partial class VideoUploadHarness
{
    private const string Email = "author@bench.publisher.local";
    private const string Password = "Bench-password-1";

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 3;
        var folder = Directory.CreateTempSubdirectory("publisher-bench-video").FullName;
        try
        {
            var small = await MakeVideoAsync(Path.Combine(folder, "small.mp4"), frames: 38);
            var large = await MakeVideoAsync(Path.Combine(folder, "large.mp4"), frames: 380);
            Console.WriteLine($"videos: {Megabytes(new FileInfo(small).Length)} and {Megabytes(new FileInfo(large).Length)}; load average {BenchWebApp.LoadAverage()}");

            BenchWebApp.UseRepositoryContentRoot();
            await using var postgres = new PostgresServer();
            await postgres.InitializeAsync();
            await using var app = new BenchWebApp(await postgres.CreateMigratedDatabaseAsync("video"));
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
                var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
                await roles.CreateAsync(new IdentityRole(Roles.Marketer));
                var user = new AppUser { UserName = Email, Email = Email, DisplayName = "Author", EmailConfirmed = true };
                if (!(await users.CreateAsync(user, Password)).Succeeded || !(await users.AddToRoleAsync(user, Roles.Marketer)).Succeeded)
                    throw new InvalidOperationException("The bench could not create its author.");
            }
            var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
            client.Timeout = TimeSpan.FromMinutes(10);
            var signInToken = BenchWebApp.AntiforgeryToken(await client.GetStringAsync("/Account/SignIn"));
            using (var signIn = await client.PostAsync("/Account/SignIn", new FormUrlEncodedContent(new Dictionary<string, string>
                   { ["Input.Email"] = Email, ["Input.Password"] = Password, ["__RequestVerificationToken"] = signInToken })))
                if (signIn.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"Signing in answered {(int)signIn.StatusCode}.");
            var apiToken = WebUtility.HtmlDecode(ApiToken().Match(await client.GetStringAsync("/Messages/New")).Groups[1].Value);

            // Warm-up: the endpoint, ffprobe and the store once, with the small file.
            await UploadAsync(client, apiToken, small, "warm-up.mp4", touch: 0);
            var results = new Dictionary<string, List<(double Seconds, long PeakGrowth)>> { ["small"] = [], ["large"] = [] };
            for (var round = 1; round <= rounds; round++)
                foreach (var (name, path) in new[] { ("small", small), ("large", large) })
                {
                    // A different last byte each round: new content, so it is really stored, not found as a repeat.
                    var measured = await UploadAsync(client, apiToken, path, $"{name}-{round}.mp4", touch: (byte)round);
                    results[name].Add(measured);
                    Console.WriteLine($"  {name} round {round}: {measured.Seconds:0.0} s, resident memory grew by at most {Megabytes(measured.PeakGrowth)}");
                }
            double Median(IEnumerable<double> values) { var sorted = values.Order().ToList(); return sorted[sorted.Count / 2]; }
            var smallPeak = Median(results["small"].Select(r => (double)r.PeakGrowth));
            var largePeak = Median(results["large"].Select(r => (double)r.PeakGrowth));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"median over {rounds} rounds: {Megabytes(new FileInfo(small).Length)} upload {Median(results["small"].Select(r => r.Seconds)):0.0} s, peak growth {Megabytes((long)smallPeak)}; " +
                $"{Megabytes(new FileInfo(large).Length)} upload {Median(results["large"].Select(r => r.Seconds)):0.0} s, peak growth {Megabytes((long)largePeak)}; " +
                $"file ratio {(double)new FileInfo(large).Length / new FileInfo(small).Length:0.0}×, peak-growth ratio {largePeak / Math.Max(1, smallPeak):0.00}×; load average {BenchWebApp.LoadAverage()}"));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(double Seconds, long PeakGrowth)> UploadAsync(HttpClient client, string token, string path, string name, byte touch)
    {
        if (touch != 0)
            await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
            {
                file.Seek(-1, SeekOrigin.End);
                file.WriteByte(touch);
            }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = Resident();
        long peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, Resident());
                try { await Task.Delay(20, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var clock = Stopwatch.StartNew();
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan))
        {
            var content = new StreamContent(stream, 81920);
            content.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
            content.Headers.ContentLength = stream.Length;
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/media?name={Uri.EscapeDataString(name)}") { Content = content };
            request.Headers.Add("RequestVerificationToken", token);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
                throw new InvalidOperationException($"Uploading {name} answered {(int)response.StatusCode}: {body}");
        }
        clock.Stop();
        await sampling.CancelAsync();
        await sampler;
        return (clock.Elapsed.TotalSeconds, peak - baseline);
    }

    /// <summary>This process's resident memory (VmRSS), in bytes.</summary>
    private static long Resident()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>An H.264 MP4 of random 640×360 frames, lossless so its size follows the frame count (about 0.53 MB a frame: 380 frames make about 200 MB).</summary>
    private static async Task<string> MakeVideoAsync(string path, int frames)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", "640x360", "-r", "30",
                     "-i", "/dev/urandom", "-frames:v", frames.ToString(CultureInfo.InvariantCulture), "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0",
                     "-pix_fmt", "yuv420p", "-movflags", "+faststart", path })
            start.ArgumentList.Add(a);
        using var ffmpeg = Process.Start(start)!;
        var errors = ffmpeg.StandardError.ReadToEndAsync();
        await ffmpeg.WaitForExitAsync();
        if (ffmpeg.ExitCode != 0) throw new InvalidOperationException("ffmpeg could not make the test video: " + await errors);
        return path;
    }

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024:0.0} MB");

    [GeneratedRegex("name=\"request-verification-token\" content=\"([^\"]+)\"")]
    private static partial Regex ApiToken();
}
