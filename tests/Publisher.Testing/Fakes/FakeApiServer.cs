using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Publisher.Testing.Fakes;

/// <summary>One request a fake received, as it arrived.</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string QueryString,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    DateTimeOffset ReceivedAt)
{
    /// <summary>The body's bytes as they arrived (<see cref="Body"/> is them read as UTF-8, which binary uploads are not).</summary>
    public byte[] BodyBytes { get; init; } = [];

    /// <summary>The parts of a <c>multipart/form-data</c> body, in order; null for any other body.</summary>
    public IReadOnlyList<FormPart>? Parts { get; init; }

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public JsonElement Json() => JsonDocument.Parse(Body).RootElement.Clone();

    /// <summary>The text of the multipart field <paramref name="name"/> (the first one), or null.</summary>
    public string? Field(string name) => Parts?.FirstOrDefault(p => p.Name == name) is { } part ? Encoding.UTF8.GetString(part.Bytes) : null;
}

/// <summary>One part of a multipart/form-data body: its field name, file name and content type when it is a file, and its bytes.</summary>
public sealed record FormPart(string Name, string? FileName, string? ContentType, byte[] Bytes)
{
    public bool IsFile => FileName is not null;
}

/// <summary>What a fake answers.</summary>
public sealed record FakeResponse(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null)
{
    /// <summary>A binary body (an image, a video), sent as is instead of <see cref="Body"/>; its Content-Type goes in the headers.</summary>
    public byte[]? BodyBytes { get; init; }

    public static FakeResponse Json(int status, object body, IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, JsonSerializer.Serialize(body), headers);
}

/// <summary>
/// A fake network API on 127.0.0.1 (Kestrel, port 0) for tests: it records every request, checks it the way
/// the real API would (in the subclass), and can be told to fail the next requests, hold them open until
/// released, or drop the connection without answering. Safe to use from several threads; the base address can
/// be handed to another process.
/// </summary>
public abstract class FakeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Queue<(FakeResponse Response, string? Path, Func<RecordedRequest, bool>? Where)> _failures = new();
    private readonly List<(int Remaining, string? Path, bool AfterHandling, Func<RecordedRequest, bool>? Where)> _aborts = [];
    private TaskCompletionSource? _hold;
    private string? _holdPath;
    private int _held;

    protected FakeApiServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(ServeAsync);
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address.TrimEnd('/') + "/");
    }

    /// <summary>The fake's address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseUri { get; }

    /// <summary>Every request received so far, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get { lock (_gate) return _requests.ToList(); }
    }

    /// <summary>How many posts (statuses, records, deliveries…) the fake has made.</summary>
    public abstract int PostCount { get; }

    /// <summary>How long the fake takes over each request before handling and answering it, as a slow network does.</summary>
    public TimeSpan AnswerDelay { get; set; }

    /// <summary>Requests waiting in <see cref="HoldRequests"/> right now.</summary>
    public int HeldCount => Volatile.Read(ref _held);

    /// <summary>Answers the next <paramref name="count"/> requests (whose path contains <paramref name="pathContains"/>, and that <paramref name="where"/> picks, if given) with this status, body and headers, without handling them.</summary>
    public void FailNext(int count, int status, string? body = null, IReadOnlyDictionary<string, string>? headers = null, string? pathContains = null, Func<RecordedRequest, bool>? where = null)
    {
        lock (_gate)
            for (var i = 0; i < count; i++)
                _failures.Enqueue((new FakeResponse(status, body, headers), pathContains, where));
    }

    /// <summary>
    /// Drops the connection of the next <paramref name="count"/> matching requests without an answer. With
    /// <paramref name="afterHandling"/> the request is handled first (the post is made), as when a network
    /// dies between doing the work and answering.
    /// </summary>
    public void AbortNext(int count, bool afterHandling, string? pathContains = null, Func<RecordedRequest, bool>? where = null)
    {
        lock (_gate) _aborts.Add((count, pathContains, afterHandling, where));
    }

    /// <summary>Holds every matching request open (recorded, not yet handled) until <see cref="ReleaseHeld"/>.</summary>
    public void HoldRequests(string? pathContains = null)
    {
        lock (_gate)
        {
            _hold ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _holdPath = pathContains;
        }
    }

    /// <summary>Lets the held requests go on (they are then handled, even if their client has gone) and stops holding.</summary>
    public void ReleaseHeld()
    {
        TaskCompletionSource? hold;
        lock (_gate)
        {
            hold = _hold;
            _hold = null;
        }
        hold?.TrySetResult();
    }

    /// <summary>Waits until at least <paramref name="count"/> requests are held (polling, with a deadline).</summary>
    public async Task WaitForHeldAsync(int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (HeldCount < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Only {HeldCount} of {count} requests arrived to be held.");
            await Task.Delay(20);
        }
    }

    /// <summary>Handles one request as the real API would.</summary>
    protected abstract FakeResponse Respond(RecordedRequest request);

    /// <summary>Handles one request: by default <see cref="Respond"/>, one at a time; a relay passes it on instead.</summary>
    protected virtual Task<FakeResponse> RespondAsync(RecordedRequest request)
    {
        lock (_gate) return Task.FromResult(Respond(request));
    }

    private async Task ServeAsync(HttpContext context)
    {
        var recorded = await RecordAsync(context);
        lock (_gate) _requests.Add(recorded);

        Task? hold;
        lock (_gate) hold = _hold is not null && Matches(recorded, _holdPath) ? _hold.Task : null;
        if (hold is not null)
        {
            Interlocked.Increment(ref _held);
            try
            {
                await hold;
            }
            finally
            {
                Interlocked.Decrement(ref _held);
            }
        }

        if (AnswerDelay > TimeSpan.Zero)
            await Task.Delay(AnswerDelay);

        FakeResponse? failure = null;
        bool? abortAfterHandling = null;
        lock (_gate)
        {
            if (_failures.Count > 0 && Matches(recorded, _failures.Peek().Path) && _failures.Peek().Where?.Invoke(recorded) != false)
                failure = _failures.Dequeue().Response;
            var abort = _aborts.FindIndex(a => a.Remaining > 0 && Matches(recorded, a.Path) && a.Where?.Invoke(recorded) != false);
            if (failure is null && abort >= 0)
            {
                var (remaining, path, after, where) = _aborts[abort];
                _aborts[abort] = (remaining - 1, path, after, where);
                abortAfterHandling = after;
            }
        }

        if (abortAfterHandling == false)
        {
            context.Abort();
            return;
        }
        var response = failure ?? await RespondAsync(recorded);
        if (abortAfterHandling == true)
        {
            context.Abort();
            return;
        }
        if (context.RequestAborted.IsCancellationRequested) return;

        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
            context.Response.Headers[name] = value;
        if (response.BodyBytes is not null)
            await context.Response.Body.WriteAsync(response.BodyBytes);
        else if (response.Body is not null)
        {
            if (!context.Response.Headers.ContainsKey("Content-Type"))
                context.Response.ContentType = response.Body.TrimStart().StartsWith('{') || response.Body.TrimStart().StartsWith('[') ? "application/json; charset=utf-8" : "text/plain; charset=utf-8";
            await context.Response.WriteAsync(response.Body, Encoding.UTF8);
        }
    }

    private static bool Matches(RecordedRequest request, string? pathContains) =>
        pathContains is null || request.Path.Contains(pathContains, StringComparison.Ordinal);

    private static async Task<RecordedRequest> RecordAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var bytes = buffer.ToArray();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in context.Request.Headers)
            headers[name] = values.ToString();
        return new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? "", headers, Encoding.UTF8.GetString(bytes), DateTimeOffset.UtcNow)
        {
            BodyBytes = bytes,
            Parts = await MultipartAsync(context.Request.ContentType, bytes),
        };
    }

    /// <summary>
    /// The parts of a multipart/form-data body, read as a server framework reads them: the boundary from the
    /// Content-Type, each part's Content-Disposition name (and filename for a file) and Content-Type. Null when the
    /// body is not multipart; an empty list when it claims to be but cannot be read.
    /// </summary>
    private static async Task<IReadOnlyList<FormPart>?> MultipartAsync(string? contentType, byte[] body)
    {
        if (contentType is null || !contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return null;
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var type)
            || Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 } boundary)
            return [];
        var parts = new List<FormPart>();
        try
        {
            var reader = new Microsoft.AspNetCore.WebUtilities.MultipartReader(boundary, new MemoryStream(body));
            while (await reader.ReadNextSectionAsync() is { } section)
            {
                if (!Microsoft.Net.Http.Headers.ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                    return [];
                using var content = new MemoryStream();
                await section.Body.CopyToAsync(content);
                var fileName = disposition.FileName.HasValue || disposition.FileNameStar.HasValue
                    ? Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value
                    : null;
                parts.Add(new FormPart(Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "", fileName, section.ContentType, content.ToArray()));
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return [];
        }
        return parts;
    }

    /// <summary>What the bytes are by their first bytes (the way a server sniffs an upload), or null.</summary>
    public static string? Sniff(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return "image/jpeg";
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return "image/png";
        if (bytes.StartsWith("GIF87a"u8) || bytes.StartsWith("GIF89a"u8)) return "image/gif";
        if (bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        if (bytes.Length >= 12 && bytes[4..8].SequenceEqual("ftyp"u8)) return bytes[8..12].SequenceEqual("qt  "u8) ? "video/quicktime" : "video/mp4";
        return null;
    }

    /// <summary>The request's query parameters, decoded.</summary>
    protected static IReadOnlyDictionary<string, string> Query(RecordedRequest request) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.QueryString).ToDictionary(p => p.Key, p => p.Value.ToString());

    /// <summary>The bearer token of the Authorization header, or null.</summary>
    protected static string? BearerToken(RecordedRequest request) =>
        request.Header("Authorization") is { } value && value.StartsWith("Bearer ", StringComparison.Ordinal) ? value["Bearer ".Length..].Trim() : null;

    protected static JsonElement? TryParseJson(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseHeld();
        await _app.StopAsync();
        await _app.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
