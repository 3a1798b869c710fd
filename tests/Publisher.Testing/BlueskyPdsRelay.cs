using System.Net.Http.Headers;
using System.Text;
using Publisher.Testing.Fakes;

namespace Publisher.Testing;

/// <summary>
/// A loopback relay in front of the real test PDS (<see cref="BlueskyPdsServer"/>): every request is passed on and
/// the PDS's own answer returned, but it is recorded first and the same faults as a fake's can be injected (drop the
/// connection before or after the PDS handled the request, hold it, answer an error instead), so "the worker died
/// mid-call" is played against the real server.
/// </summary>
public sealed class BlueskyPdsRelay(Uri pds) : FakeApiServer
{
    // The relay talks only to the PDS on this machine; redirects are answers to pass back, not to follow.
    private static readonly HttpClient Upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromMinutes(2) };
    private static readonly HashSet<string> NotRelayed = new(StringComparer.OrdinalIgnoreCase) { "Host", "Content-Length", "Content-Type", "Connection", "Transfer-Encoding", "Keep-Alive", "Accept-Encoding" };
    private int _posts;

    /// <summary>Records the PDS made through this relay (createRecord answered 200), whether or not the client heard.</summary>
    public override int PostCount => Volatile.Read(ref _posts);

    protected override FakeResponse Respond(RecordedRequest request) =>
        throw new NotSupportedException("The relay answers with the PDS's own answer (RespondAsync).");

    protected override async Task<FakeResponse> RespondAsync(RecordedRequest request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(pds, request.Path.TrimStart('/') + request.QueryString));
        foreach (var (name, value) in request.Headers)
            if (!NotRelayed.Contains(name))
                message.Headers.TryAddWithoutValidation(name, value);
        if (request.Method is not ("GET" or "HEAD"))
        {
            // The bytes as they came (uploadBlob sends images and video, not text).
            message.Content = new ByteArrayContent(request.BodyBytes.Length > 0 ? request.BodyBytes : Encoding.UTF8.GetBytes(request.Body));
            // As sent, or absent: the PDS's answer to a body without a type is part of what the tests compare.
            if (request.Header("Content-Type") is { } type) message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        }
        // Not the client's cancellation: a request the PDS received is finished, as it would be on the network.
        using var response = await Upstream.SendAsync(message);
        // Bytes, not text: getBlob answers with the image or video itself.
        var body = await response.Content.ReadAsByteArrayAsync();
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => !NotRelayed.Contains(h.Key) || h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        if (response.IsSuccessStatusCode && request.Path.EndsWith("/com.atproto.repo.createRecord", StringComparison.Ordinal))
            Interlocked.Increment(ref _posts);
        return new FakeResponse((int)response.StatusCode, null, headers) { BodyBytes = body };
    }
}
