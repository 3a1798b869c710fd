using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Publisher.Core.Domain;
using Publisher.Core.Networking;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels;

/// <summary>
/// How every channel client turns an HTTP answer or a network error into a <see cref="PublishResult"/>, so the
/// publish job can decide the same way for every network: retry later, give up, or reconcile.
/// </summary>
public static class ChannelHttp
{
    /// <summary>The name of the <see cref="HttpClient"/> a channel kind uses (one named client per kind).</summary>
    public static string ClientName(ChannelKind kind) => $"Publisher.Channels.{kind}";

    /// <summary>The client the warm-up sends through: the channels' handler chain, allowed to reach its own loopback listener.</summary>
    public const string WarmUpClientName = "Publisher.Channels.WarmUp";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Sends one small request through a channel's HTTP stack to a throwaway listener on loopback and reads
    /// its answer. A fresh worker process compiles the handler chain on its first request, which made the
    /// first posts of a burst a few hundred milliseconds late; after this they go out on the second.
    /// Nothing leaves the machine, and the connection is closed after the one answer.
    /// </summary>
    public static async Task WarmUpAsync(IHttpClientFactory factory, CancellationToken cancellationToken)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var answer = AnswerOnceAsync(listener, cancellationToken);
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/warm-up")
               {
                   Content = new StringContent("""{"type":"warm-up"}""", Encoding.UTF8, "application/json"),
               })
        using (var response = await factory.CreateClient(WarmUpClientName).SendAsync(request, cancellationToken))
            await response.Content.ReadAsStringAsync(cancellationToken);
        await answer;
    }

    private static async Task AnswerOnceAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        using var socket = await listener.AcceptSocketAsync(cancellationToken);
        // Read the whole request (headers, then Content-Length bytes of body) before answering, so closing
        // the socket cannot reset a request still being written.
        var received = new List<byte>();
        var buffer = new byte[4096];
        int headerEnd = -1, length = 0;
        while (headerEnd < 0 || received.Count < headerEnd + length)
        {
            var read = await socket.ReceiveAsync(buffer, cancellationToken);
            if (read == 0) return;
            received.AddRange(buffer.AsSpan(0, read));
            if (headerEnd >= 0) continue;
            var text = Encoding.ASCII.GetString(received.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0) continue;
            headerEnd = end + 4;
            var header = text[..end].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            length = header is null ? 0 : int.Parse(header["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
        }
        await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"u8.ToArray(), cancellationToken);
    }

    /// <summary>
    /// The outcome of an answer that was not a success: Transient for 408, 429 and 5xx, Permanent otherwise. The
    /// detail holds the status and at most a short, cleaned reason in the network's words (its JSON error message,
    /// else the reason phrase): never the answer itself, which may be anything a server chose to send.
    /// </summary>
    public static async Task<PublishResult> FailureAsync(HttpResponseMessage response, ChannelKind kind, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var body = await ReadErrorBodyAsync(response, cancellationToken);
        var reason = NetworkReplyText.Clean(ErrorMessage(kind, body) ?? response.ReasonPhrase);
        var message = reason.Length == 0 ? $"{status}" : $"{status}: {reason}";
        if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            message += $" (moved to {NetworkReplyText.Clean(location.ToString(), 120)}: check the account's base address)";
        var transient = status is 408 or 429 or >= 500 || IsTransientGraphError(kind, body);
        return new PublishResult(
            transient ? PublishOutcome.Transient : PublishOutcome.Permanent,
            HttpStatus: status,
            Detail: $"{Name(kind)} answered {message}",
            RetryAfter: transient ? RetryAfter(response, kind, now) : null);
    }

    /// <summary>An error answer's body, read up to 64 KB: enough for any API's error document, and a server cannot make the worker hold more.</summary>
    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        const int limit = 64 * 1024;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[limit];
            var read = 0;
            int n;
            while (read < limit && (n = await stream.ReadAsync(buffer.AsMemory(read, limit - read), cancellationToken)) > 0)
                read += n;
            return Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return "";
        }
    }

    /// <summary>
    /// How long to wait before trying again: the standard Retry-After header (seconds or an HTTP date), or on a
    /// 429 the network's own rate-limit reset header. Null when the network said nothing.
    /// </summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, ChannelKind kind, DateTimeOffset now)
    {
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta) return NotNegative(delta);
            if (retryAfter.Date is { } date) return NotNegative(date - now);
        }
        if (response.StatusCode != HttpStatusCode.TooManyRequests) return null;
        var reset = kind switch
        {
            ChannelKind.X => Header(response, "x-rate-limit-reset") is { } epoch && long.TryParse(epoch, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : (DateTimeOffset?)null,
            ChannelKind.Bluesky => Header(response, "ratelimit-reset") is { } epoch && long.TryParse(epoch, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null,
            ChannelKind.Mastodon => Header(response, "X-RateLimit-Reset") is { } iso && DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at
                : null,
            _ => null,
        };
        return reset is { } until ? NotNegative(until - now) : null;
    }

    /// <summary>The API's own words for an error, from its JSON error shape; null when the body has none.</summary>
    public static string? ErrorMessage(ChannelKind kind, string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            return kind switch
            {
                // X v2: problem details ({title, detail}) or {errors: [{message}]}.
                ChannelKind.X => (String(root, "detail") ?? String(root, "title"), Messages(root)) switch
                {
                    (null, var messages) => messages,
                    (var detail, null) => detail,
                    var (detail, messages) => $"{detail} {messages}",
                },
                ChannelKind.Mastodon => String(root, "error"),
                ChannelKind.Bluesky => String(root, "message") ?? String(root, "error"),
                ChannelKind.LinkedIn => String(root, "message"),
                // Meta's Graph APIs (Facebook, Threads, Instagram): {"error": {"message", "error_user_msg", "code", …}}.
                ChannelKind.FacebookPage or ChannelKind.Threads or ChannelKind.Instagram =>
                    root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object ? String(error, "error_user_msg") ?? String(error, "message") : null,
                _ => String(root, "message") ?? String(root, "error") ?? String(root, "detail") ?? String(root, "title"),
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Maps an exception thrown while calling a network. Returns false for exceptions that are not about the
    /// network (and for the caller's own cancellation, which the caller handles).
    /// </summary>
    public static bool TryMapException(Exception exception, ChannelKind kind, CancellationToken cancellationToken, out PublishResult result)
    {
        result = exception switch
        {
            ChannelConfigurationException e => new PublishResult(PublishOutcome.Permanent, Detail: e.Message),
            // Nothing was sent, and trying again will not change the address: an admin must.
            _ when OutboundAddressRefusedException.In(exception) is { } refused => new PublishResult(PublishOutcome.Permanent, Detail: refused.Message),
            _ when NothingWasSent(exception) => new PublishResult(PublishOutcome.Transient, Detail: CouldNotConnect(kind)),
            // The request may have reached the network and the post gone out: only a reconcile can tell.
            TaskCanceledException when !cancellationToken.IsCancellationRequested =>
                new PublishResult(PublishOutcome.Unknown, Detail: $"{Name(kind)} did not answer in time; the post may have gone out."),
            HttpRequestException or IOException =>
                new PublishResult(PublishOutcome.Unknown, Detail: $"The connection to {Name(kind)} broke after the request was sent; the post may have gone out."),
            _ => null!,
        };
        return result is not null;
    }

    /// <summary>
    /// Every way a connection can fail before a request goes out (refused, unreachable, reset, unknown name) reads
    /// the same: which of them it was would tell whoever set the address which ports are open where.
    /// </summary>
    public static string CouldNotConnect(ChannelKind kind) =>
        $"Could not connect to {Name(kind)}. Check the account's address; if it is right, the server may be down for now.";

    /// <summary>True when the request never left: the connection was refused or the name did not resolve.</summary>
    public static bool NothingWasSent(Exception exception) => exception switch
    {
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.NetworkUnreachable } } => true,
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => true,
        SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound } => true,
        _ => false,
    };

    /// <summary>Adds which part of a thread failed to the failure's detail, and that the earlier parts are out.</summary>
    public static PublishResult ForPart(PublishResult failure, int index, int count)
    {
        if (count <= 1) return failure;
        var posted = index == 0 ? "" : index == 1 ? " Part 1 is already posted and will not be posted again." : $" Parts 1–{index} are already posted and will not be posted again.";
        return failure with { Detail = $"Part {index + 1} of {count}: {failure.Detail}{posted}" };
    }

    /// <summary>A connection check that failed: the status and a short, cleaned reason.</summary>
    public static async Task<ConnectionCheck> FailedCheckAsync(HttpResponseMessage response, ChannelKind kind, CancellationToken cancellationToken)
    {
        var failure = await FailureAsync(response, kind, DateTimeOffset.UtcNow, cancellationToken);
        return new ConnectionCheck(false, failure.Detail ?? $"{Name(kind)} answered {(int)response.StatusCode}.");
    }

    /// <summary>A connection check that threw: what an admin can act on, never the exception's own text (which names ports and addresses).</summary>
    public static ConnectionCheck FailedCheck(Exception exception, ChannelKind kind) => exception switch
    {
        ChannelConfigurationException e => new ConnectionCheck(false, e.Message),
        _ when OutboundAddressRefusedException.In(exception) is { } refused => new ConnectionCheck(false, refused.Message),
        OperationCanceledException => new ConnectionCheck(false, $"{Name(kind)} did not answer in time."),
        JsonException or FormatException or KeyNotFoundException or InvalidOperationException =>
            new ConnectionCheck(false, $"{Name(kind)} answered, but not in the shape its API uses: check the account's address."),
        _ => new ConnectionCheck(false, CouldNotConnect(kind)),
    };

    public static string Name(ChannelKind kind) => kind switch
    {
        ChannelKind.FacebookPage => "Facebook",
        ChannelKind.Email => "The mail server",
        ChannelKind.Webhook => "The webhook",
        _ => kind.ToString(),
    };

    /// <summary>Joins a base address and a relative path, keeping the base's own path (e.g. a PDS behind a prefix).</summary>
    public static Uri Combine(Uri baseAddress, string relative) =>
        new(baseAddress.AbsoluteUri.TrimEnd('/') + "/" + relative.TrimStart('/'));

    public static void Bearer(HttpRequestMessage request, string token) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

    // Meta's Graph APIs (Facebook, Threads, Instagram) answer throttling with a 400 or 403 and says so in the body.
    private static bool IsTransientGraphError(ChannelKind kind, string body)
    {
        if (kind is not (ChannelKind.FacebookPage or ChannelKind.Threads or ChannelKind.Instagram) || string.IsNullOrWhiteSpace(body)) return false;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object) return false;
            if (error.TryGetProperty("is_transient", out var flag) && flag.ValueKind == JsonValueKind.True) return true;
            return error.TryGetProperty("code", out var code) && code.TryGetInt32(out var value) && value is 1 or 2 or 4 or 17 or 32 or 613;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;

    private static TimeSpan NotNegative(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : null;

    private static string? Messages(JsonElement root)
    {
        if (!root.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array) return null;
        var messages = errors.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Object ? String(e, "message") : null).OfType<string>().ToList();
        return messages.Count == 0 ? null : string.Join("; ", messages);
    }
}
