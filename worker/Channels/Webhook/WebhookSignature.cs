using System.Security.Cryptography;
using System.Text;

namespace Publisher.Worker.Channels.Webhook;

/// <summary>
/// The signature a webhook receiver checks: <c>X-Publisher-Signature: sha256=</c> lower-case hex of
/// HMAC-SHA256(secret, "{X-Publisher-Timestamp}.{raw body}").
/// </summary>
public static class WebhookSignature
{
    public static string Compute(string secret, long timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
}
