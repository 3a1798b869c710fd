using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Publisher.Testing.Fakes;

/// <summary>An object the fake S3 holds.</summary>
public sealed record FakeS3Object(byte[] Bytes, string ContentType, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// Fake S3-compatible object store, path-style (<c>/{bucket}/{key}</c>): <c>PUT</c>, <c>GET</c>, <c>HEAD</c> and
/// <c>DELETE</c> of objects. Every request must be signed as S3 checks it
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html): an <c>Authorization</c> header of
/// the form <c>AWS4-HMAC-SHA256 Credential=key/date/region/s3/aws4_request, SignedHeaders=…, Signature=…</c> whose
/// signature is recomputed here from the canonical request with the secret key (403 SignatureDoesNotMatch
/// otherwise), signing at least <c>host</c>, <c>x-amz-date</c> and <c>x-amz-content-sha256</c>; an
/// <c>x-amz-date</c> within 15 minutes of now (RequestTimeTooSkewed); and an <c>x-amz-content-sha256</c> that is the
/// hash of the body received (XAmzContentSHA256Mismatch) or <c>UNSIGNED-PAYLOAD</c>. Errors are S3's XML.
/// </summary>
public sealed partial class FakeS3(string bucket, string accessKey, string secretKey, string region = "us-east-1") : FakeApiServer
{
    private readonly Dictionary<string, FakeS3Object> _objects = new(StringComparer.Ordinal);
    private int _puts;

    /// <summary>The objects stored, by key.</summary>
    public IReadOnlyDictionary<string, FakeS3Object> Objects
    {
        get { lock (_objects) return new Dictionary<string, FakeS3Object>(_objects); }
    }

    /// <summary>Objects written (successful PUTs).</summary>
    public override int PostCount => Volatile.Read(ref _puts);

    protected override FakeResponse Respond(RecordedRequest request)
    {
        if (AuthorizationProblem(request) is { } refused) return refused;
        var path = request.Path.TrimStart('/');
        var slash = path.IndexOf('/');
        if (slash < 0 || path[..slash] != bucket)
            return Error(404, "NoSuchBucket", "The specified bucket does not exist");
        var key = path[(slash + 1)..];
        lock (_objects)
        {
            switch (request.Method)
            {
                case "PUT":
                    var headers = request.Headers.Where(h => h.Key.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("Cache-Control", StringComparison.OrdinalIgnoreCase))
                        .ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
                    _objects[key] = new FakeS3Object(request.BodyBytes, request.Header("Content-Type") ?? "binary/octet-stream", headers);
                    Interlocked.Increment(ref _puts);
                    return new FakeResponse(200, null, new Dictionary<string, string> { ["ETag"] = ETag(request.BodyBytes) });
                case "GET" or "HEAD":
                    if (!_objects.TryGetValue(key, out var stored))
                        return request.Method == "HEAD" ? new FakeResponse(404) : Error(404, "NoSuchKey", "The specified key does not exist.");
                    var answer = new Dictionary<string, string>(stored.Headers, StringComparer.OrdinalIgnoreCase)
                    {
                        ["Content-Type"] = stored.ContentType,
                        ["Content-Length"] = stored.Bytes.Length.ToString(CultureInfo.InvariantCulture),
                        ["ETag"] = ETag(stored.Bytes),
                        ["Last-Modified"] = DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture),
                    };
                    return new FakeResponse(200, null, answer) { BodyBytes = request.Method == "GET" ? stored.Bytes : null };
                case "DELETE":
                    _objects.Remove(key);
                    return new FakeResponse(204);
                default:
                    return Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
            }
        }
    }

    /// <summary>The request's SigV4 header authentication, checked as S3 does; null when it holds.</summary>
    private FakeResponse? AuthorizationProblem(RecordedRequest request)
    {
        if (request.Header("Authorization") is not { } authorization)
            return Error(403, "AccessDenied", "Access Denied");
        var match = AuthorizationHeader().Match(authorization);
        if (!match.Success)
            return Error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed.");
        var (key, date, scopeRegion, signedHeaders, signature) = (match.Groups["key"].Value, match.Groups["date"].Value, match.Groups["region"].Value, match.Groups["headers"].Value.Split(';'), match.Groups["signature"].Value);
        if (key != accessKey) return Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
        if (scopeRegion != region) return Error(400, "AuthorizationHeaderMalformed", $"The authorization header is malformed; the region '{scopeRegion}' is wrong; expecting '{region}'");
        foreach (var required in new[] { "host", "x-amz-date", "x-amz-content-sha256" })
            if (!signedHeaders.Contains(required))
                return Error(403, "AccessDenied", $"Header {required} must be signed.");
        if (!signedHeaders.SequenceEqual(signedHeaders.Order(StringComparer.Ordinal)) || signedHeaders.Any(h => request.Header(h) is null))
            return Error(400, "AuthorizationHeaderMalformed", "SignedHeaders must be sorted, lower-case and present in the request.");
        var amzDate = request.Header("x-amz-date")!;
        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) || !amzDate.StartsWith(date, StringComparison.Ordinal))
            return Error(403, "AccessDenied", "X-Amz-Date must be yyyyMMddTHHmmssZ and match the credential scope's date.");
        if ((at - DateTimeOffset.UtcNow).Duration() > TimeSpan.FromMinutes(15))
            return Error(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.");
        var payloadHash = request.Header("x-amz-content-sha256")!;
        if (payloadHash != "UNSIGNED-PAYLOAD")
        {
            if (payloadHash.StartsWith("STREAMING-", StringComparison.Ordinal))
                return Error(501, "NotImplemented", "This fake takes whole signed payloads, not aws-chunked streaming.");
            if (payloadHash != Convert.ToHexStringLower(SHA256.HashData(request.BodyBytes)))
                return Error(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }

        var canonicalQuery = string.Join('&', Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.QueryString)
            .SelectMany(p => p.Value.Select(v => (Name: Uri.EscapeDataString(p.Key), Value: Uri.EscapeDataString(v ?? ""))))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));
        var canonicalHeaders = string.Concat(signedHeaders.Select(h => $"{h}:{Spaces().Replace(request.Header(h)!.Trim(), " ")}\n"));
        var canonicalPath = string.Join('/', request.Path.Split('/').Select(Uri.EscapeDataString));
        var canonicalRequest = $"{request.Method}\n{canonicalPath}\n{canonicalQuery}\n{canonicalHeaders}\n{string.Join(';', signedHeaders)}\n{payloadHash}";
        var scope = $"{date}/{region}/s3/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var signingKey = new[] { date, region, "s3", "aws4_request" }.Aggregate(Encoding.UTF8.GetBytes("AWS4" + secretKey), (k, part) => HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(part)));
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature))
            ? null
            : Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
    }

    private static string ETag(byte[] bytes) => $"\"{Convert.ToHexStringLower(MD5.HashData(bytes))}\"";

    private static FakeResponse Error(int status, string code, string message) =>
        new(status, $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{System.Security.SecurityElement.Escape(message)}</Message><RequestId>fake</RequestId></Error>",
            new Dictionary<string, string> { ["Content-Type"] = "application/xml" });

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[^/\s]+)/(?<date>\d{8})/(?<region>[a-z0-9-]+)/s3/aws4_request,\s*SignedHeaders=(?<headers>[a-z0-9-]+(;[a-z0-9-]+)*),\s*Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex AuthorizationHeader();

    [GeneratedRegex(" {2,}")]
    private static partial Regex Spaces();
}
