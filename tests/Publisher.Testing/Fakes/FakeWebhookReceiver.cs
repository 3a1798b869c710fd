using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Publisher.Testing.Fakes;

/// <summary>A delivery the fake receiver accepted.</summary>
public sealed record FakeDelivery(string DeliveryId, string Body, long Timestamp);

/// <summary>
/// A webhook receiver as a careful integrator writes one: it accepts POSTs to <see cref="Path"/> only, checks
/// <c>X-Publisher-Signature</c> (sha256= hex HMAC-SHA256 of "{timestamp}.{body}" with the shared secret) and that
/// <c>X-Publisher-Timestamp</c> is within <see cref="Tolerance"/> of now, needs a JSON body, and handles each
/// <c>X-Publisher-Delivery</c> id once (a repeat is answered 200 and ignored). Pings are answered, not kept.
/// </summary>
public sealed class FakeWebhookReceiver : FakeApiServer
{
    private readonly List<FakeDelivery> _deliveries = [];
    private int _pings;

    public string Secret { get; init; } = "whsec_fake_shared_secret";
    public string Path { get; init; } = "/hooks/publisher";
    public TimeSpan Tolerance { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Answer with a JSON <c>{"id": ...}</c> of the receiver's own (otherwise an empty 204).</summary>
    public bool RespondWithId { get; set; }

    /// <summary>The address to configure as the webhook's base address.</summary>
    public Uri Url => new(BaseUri, Path.TrimStart('/'));

    public IReadOnlyDictionary<string, string> Credentials => new Dictionary<string, string> { ["secret"] = Secret };

    public IReadOnlyList<FakeDelivery> Deliveries
    {
        get { lock (_deliveries) return _deliveries.ToList(); }
    }

    public int PingCount => Volatile.Read(ref _pings);

    public override int PostCount => Deliveries.Count;

    protected override FakeResponse Respond(RecordedRequest request)
    {
        if (request.Path != Path) return FakeResponse.Json(404, new { error = "no webhook here" });
        if (request.Method != "POST") return FakeResponse.Json(405, new { error = "POST only" });
        if (request.Header("Content-Type")?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
            return FakeResponse.Json(415, new { error = "Content-Type must be application/json" });
        if (!long.TryParse(request.Header("X-Publisher-Timestamp"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var timestamp))
            return FakeResponse.Json(401, new { error = "missing X-Publisher-Timestamp" });
        if ((DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(timestamp)).Duration() > Tolerance)
            return FakeResponse.Json(401, new { error = "stale X-Publisher-Timestamp: refusing a possible replay" });
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{timestamp}.{request.Body}")));
        var given = request.Header("X-Publisher-Signature") ?? "";
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(given)))
            return FakeResponse.Json(401, new { error = "signature mismatch" });
        if (request.Header("X-Publisher-Delivery") is not { Length: > 0 } deliveryId)
            return FakeResponse.Json(400, new { error = "missing X-Publisher-Delivery" });
        if (TryParseJson(request.Body) is not { ValueKind: JsonValueKind.Object } body)
            return FakeResponse.Json(400, new { error = "body is not a JSON object" });

        if (body.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "ping")
        {
            Interlocked.Increment(ref _pings);
            return FakeResponse.Json(200, new { ok = true });
        }
        lock (_deliveries)
        {
            var index = _deliveries.FindIndex(d => d.DeliveryId == deliveryId);
            if (index < 0)
            {
                _deliveries.Add(new FakeDelivery(deliveryId, request.Body, timestamp));
                index = _deliveries.Count - 1;
            }
            return RespondWithId ? FakeResponse.Json(200, new { id = $"evt_{index + 1}" }) : new FakeResponse(204);
        }
    }
}
