using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Publisher.Media.Inspection;

/// <summary>What ffprobe reads from a video's container.</summary>
/// <param name="Container">ffprobe's format names, e.g. "mov,mp4,m4a,3gp,3g2,mj2".</param>
/// <param name="VideoCodec">The first video stream's codec, e.g. "h264" or "hevc".</param>
/// <param name="AudioCodec">The first audio stream's codec, or null when silent.</param>
/// <param name="FrameRate">Frames per second of the video stream, when stated.</param>
public sealed record VideoFacts(string Container, string VideoCodec, string? AudioCodec, int Width, int Height, TimeSpan Duration, double? FrameRate);

/// <summary>
/// Runs Debian's <c>ffprobe</c> and <c>ffmpeg</c> as child processes, each with an argument list (never a shell, so no
/// file name can become a command) and a deadline after which the process tree is killed: a crafted file must not
/// hang an upload or the worker.
/// </summary>
public sealed class VideoTools(string ffprobePath = "ffprobe", string ffmpegPath = "ffmpeg", TimeSpan? timeout = null)
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(30);

    /// <summary>The video's container, codecs, size and duration, or null when ffprobe cannot read it as a video.</summary>
    public async Task<VideoFacts?> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        var (exit, output, _) = await RunAsync(ffprobePath, ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", "--", path], cancellationToken);
        if (exit != 0 || output.Length == 0)
            return null;
        try
        {
            using var json = JsonDocument.Parse(output);
            var root = json.RootElement;
            if (!root.TryGetProperty("streams", out var streams) || !root.TryGetProperty("format", out var format))
                return null;
            JsonElement? video = null, audio = null;
            foreach (var stream in streams.EnumerateArray())
            {
                var type = stream.TryGetProperty("codec_type", out var t) ? t.GetString() : null;
                // Cover art in an MP4 is a "video" stream of one still: not the video.
                var attached = stream.TryGetProperty("disposition", out var d) && d.TryGetProperty("attached_pic", out var pic) && pic.GetInt32() == 1;
                if (type == "video" && !attached) video ??= stream;
                else if (type == "audio") audio ??= stream;
            }
            if (video is not { } v)
                return null;
            var width = v.TryGetProperty("width", out var w) ? w.GetInt32() : 0;
            var height = v.TryGetProperty("height", out var h) ? h.GetInt32() : 0;
            // A phone's portrait video is stored landscape with a rotation; people see it turned.
            if (Rotation(v) is 90 or 270 or -90 or -270)
                (width, height) = (height, width);
            var duration = Seconds(format, "duration") ?? Seconds(v, "duration") ?? 0;
            return new VideoFacts(
                format.TryGetProperty("format_name", out var name) ? name.GetString() ?? "" : "",
                v.TryGetProperty("codec_name", out var codec) ? codec.GetString() ?? "" : "",
                audio is { } a && a.TryGetProperty("codec_name", out var ac) ? ac.GetString() : null,
                width, height, TimeSpan.FromSeconds(duration), FrameRate(v));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Writes a JPEG of the video's first frame (no longer than <paramref name="maxSide"/> on its longest side), or returns false.</summary>
    public async Task<bool> PosterAsync(string videoPath, string jpegPath, int maxSide, CancellationToken cancellationToken)
    {
        var scale = $"scale='if(gt(iw,ih),min({maxSide},iw),-2)':'if(gt(iw,ih),-2,min({maxSide},ih))'";
        var (exit, _, _) = await RunAsync(ffmpegPath,
            ["-v", "error", "-nostdin", "-y", "-i", videoPath, "-frames:v", "1", "-vf", scale, "-map_metadata", "-1", "-q:v", "3", "-f", "image2", "-c:v", "mjpeg", jpegPath],
            cancellationToken);
        return exit == 0 && File.Exists(jpegPath) && new FileInfo(jpegPath).Length > 0;
    }

    private async Task<(int Exit, string Output, string Errors)> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new MediaToolMissingException($"{program} could not be started ({e.Message}): install Debian's ffmpeg package (sudo apt-get install ffmpeg); ./run.sh and ./test.sh do it for you.");
        }
        process.StandardInput.Close();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var errors = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return (process.ExitCode, await output, await errors);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            cancellationToken.ThrowIfCancellationRequested();
            return (-1, "", $"{program} took longer than {_timeout.TotalSeconds:0} s and was stopped");
        }
    }

    private static double? Seconds(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
        && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds >= 0
            ? seconds : null;

    private static int Rotation(JsonElement video)
    {
        if (video.TryGetProperty("tags", out var tags) && tags.TryGetProperty("rotate", out var rotate) && int.TryParse(rotate.GetString(), out var r))
            return r;
        if (video.TryGetProperty("side_data_list", out var sides))
            foreach (var side in sides.EnumerateArray())
                if (side.TryGetProperty("rotation", out var rotation) && rotation.ValueKind == JsonValueKind.Number)
                    return rotation.GetInt32();
        return 0;
    }

    private static double? FrameRate(JsonElement video)
    {
        if (!video.TryGetProperty("avg_frame_rate", out var rate) || rate.GetString() is not { } text)
            return null;
        var parts = text.Split('/');
        return parts.Length == 2 && double.TryParse(parts[0], CultureInfo.InvariantCulture, out var n) && double.TryParse(parts[1], CultureInfo.InvariantCulture, out var d) && d > 0
            ? n / d : null;
    }
}

/// <summary>ffprobe or ffmpeg is not installed: the installation must add Debian's ffmpeg package.</summary>
public sealed class MediaToolMissingException(string message) : Exception(message);
