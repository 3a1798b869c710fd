using System.Security.Cryptography;
using System.Text;

namespace Publisher.Worker.Channels.X;

/// <summary>
/// OAuth 1.0a HMAC-SHA1 request signing (RFC 5849 section 3.4) for X's user-context API. The signed
/// parameters are the query string, a form body if there is one, and the oauth_* protocol parameters; a JSON
/// body is not part of the signature.
/// </summary>
public sealed class OAuth1Signer(string consumerKey, string consumerSecret, string token, string tokenSecret)
{
    /// <summary>The value of the Authorization header for one request.</summary>
    public string AuthorizationHeader(HttpMethod method, Uri uri, IEnumerable<KeyValuePair<string, string>>? formParameters, string nonce, long timestamp)
    {
        var oauth = new List<KeyValuePair<string, string>>
        {
            new("oauth_consumer_key", consumerKey),
            new("oauth_nonce", nonce),
            new("oauth_signature_method", "HMAC-SHA1"),
            new("oauth_timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("oauth_token", token),
            new("oauth_version", "1.0"),
        };
        var parameters = QueryParameters(uri).Concat(formParameters ?? []).Concat(oauth);
        var signature = Sign(SignatureBaseString(method.Method, uri, parameters), consumerSecret, tokenSecret);
        oauth.Add(new("oauth_signature", signature));
        return "OAuth " + string.Join(", ", oauth.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{PercentEncode(p.Key)}=\"{PercentEncode(p.Value)}\""));
    }

    /// <summary>RFC 3986 percent-encoding as RFC 5849 3.6 asks: everything but ALPHA, DIGIT, '-', '.', '_', '~', from UTF-8 bytes, upper-case hex.</summary>
    public static string PercentEncode(string value)
    {
        var builder = new StringBuilder(value.Length * 2);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
                builder.Append((char)b);
            else
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    /// <summary>RFC 5849 3.4.1.3.2: encode names and values, sort by name then value (byte order), join with '=' and '&amp;'.</summary>
    public static string NormalizeParameters(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join("&", parameters
            .Select(p => (Name: PercentEncode(p.Key), Value: PercentEncode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));

    /// <summary>RFC 5849 3.4.1.2: lower-case scheme and host, the port only when it is not the scheme's default, the path, no query.</summary>
    public static string BaseStringUri(Uri uri)
    {
        var port = uri.IsDefaultPort ? "" : ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"{uri.Scheme.ToLowerInvariant()}://{uri.Host.ToLowerInvariant()}{port}{uri.AbsolutePath}";
    }

    /// <summary>RFC 5849 3.4.1.1: METHOD &amp; encoded base URI &amp; encoded normalized parameters.</summary>
    public static string SignatureBaseString(string method, Uri uri, IEnumerable<KeyValuePair<string, string>> parameters) =>
        $"{method.ToUpperInvariant()}&{PercentEncode(BaseStringUri(uri))}&{PercentEncode(NormalizeParameters(parameters))}";

    /// <summary>RFC 5849 3.4.2: HMAC-SHA1 keyed with encoded consumer secret '&amp;' encoded token secret, base64.</summary>
    public static string Sign(string signatureBaseString, string consumerSecret, string tokenSecret)
    {
        var key = Encoding.ASCII.GetBytes($"{PercentEncode(consumerSecret)}&{PercentEncode(tokenSecret)}");
        return Convert.ToBase64String(HMACSHA1.HashData(key, Encoding.ASCII.GetBytes(signatureBaseString)));
    }

    /// <summary>The decoded name/value pairs of the URI's query ('+' is a space, as form encoding writes it).</summary>
    public static IEnumerable<KeyValuePair<string, string>> QueryParameters(Uri uri)
    {
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0) yield break;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? "" : pair[(equals + 1)..];
            yield return new(Decode(name), Decode(value));
        }
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}

/// <summary>How one account's requests to X are authorized: OAuth 1.0a keys, or an OAuth 2.0 user access token (Connect).</summary>
public sealed record XAuthorization(OAuth1Signer? OAuth1, string? BearerToken);
