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
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public JsonElement Json() => JsonDocument.Parse(Body).RootElement.Clone();
}

/// <summary>What a fake answers.</summary>
public sealed record FakeResponse(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null)
{
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
    private readonly Queue<(FakeResponse Response, string? Path)> _failures = new();
    private readonly List<(int Remaining, string? Path, bool AfterHandling)> _aborts = [];
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

    /// <summary>Answers the next <paramref name="count"/> requests (whose path contains <paramref name="pathContains"/>, if given) with this status, body and headers, without handling them.</summary>
    public void FailNext(int count, int status, string? body = null, IReadOnlyDictionary<string, string>? headers = null, string? pathContains = null)
    {
        lock (_gate)
            for (var i = 0; i < count; i++)
                _failures.Enqueue((new FakeResponse(status, body, headers), pathContains));
    }

    /// <summary>
    /// Drops the connection of the next <paramref name="count"/> matching requests without an answer. With
    /// <paramref name="afterHandling"/> the request is handled first (the post is made), as when a network
    /// dies between doing the work and answering.
    /// </summary>
    public void AbortNext(int count, bool afterHandling, string? pathContains = null)
    {
        lock (_gate) _aborts.Add((count, pathContains, afterHandling));
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
            if (_failures.Count > 0 && Matches(recorded, _failures.Peek().Path))
                failure = _failures.Dequeue().Response;
            var abort = _aborts.FindIndex(a => a.Remaining > 0 && Matches(recorded, a.Path));
            if (failure is null && abort >= 0)
            {
                var (remaining, path, after) = _aborts[abort];
                _aborts[abort] = (remaining - 1, path, after);
                abortAfterHandling = after;
            }
        }

        if (abortAfterHandling == false)
        {
            context.Abort();
            return;
        }
        FakeResponse response;
        lock (_gate) response = failure ?? Respond(recorded);
        if (abortAfterHandling == true)
        {
            context.Abort();
            return;
        }
        if (context.RequestAborted.IsCancellationRequested) return;

        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
            context.Response.Headers[name] = value;
        if (response.Body is not null)
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
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in context.Request.Headers)
            headers[name] = values.ToString();
        return new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? "", headers, body, DateTimeOffset.UtcNow);
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
