using System.Security.Cryptography;
using System.Text;

namespace Publisher.Core.Connect;

/// <summary>How a client proves itself at the token endpoint: in the form body (Mastodon) or with HTTP Basic (X's confidential clients).</summary>
public enum ClientAuthentication
{
    FormBody,
    Basic,
}

/// <summary>The OAuth client Publisher is on one network (or one Mastodon instance), and that network's endpoints.</summary>
public sealed record OAuthClient(
    string ClientId,
    string? ClientSecret,
    Uri AuthorizeEndpoint,
    Uri TokenEndpoint,
    Uri? RevokeEndpoint,
    string Scopes,
    ClientAuthentication Authentication,
    /// <summary>Where accounts connected with it publish to.</summary>
    Uri ApiBase);

/// <summary>What a token endpoint gave: the access token, the refresh token when one came, and when the access token ends.</summary>
public sealed record OAuthToken(string AccessToken, string? RefreshToken, DateTimeOffset? ExpiresAt, string? Scope);

/// <summary>
/// An account the token may publish as: the admin's own (Mastodon, X) or one of the pages they manage. Its credentials
/// and settings are what the channel client reads (a page's own token, an author URN).
/// </summary>
public sealed record ConnectableAccount(
    string ExternalId,
    string Name,
    string? Handle,
    IReadOnlyDictionary<string, string> Credentials,
    IReadOnlyDictionary<string, string> Settings,
    /// <summary>The channel kind it publishes as, when the Connect gives more than one kind (Facebook Pages and Instagram).</summary>
    string? Kind = null);

/// <summary>
/// The network answered an OAuth call with an error (RFC 6749 §5.2: <c>invalid_grant</c>, <c>invalid_client</c>, …).
/// The description is the network's, cleaned and cut short.
/// </summary>
public sealed class OAuthException(string error, string? description, int status)
    : Exception(description is { Length: > 0 } ? $"{error}: {description}" : error)
{
    public string Error { get; } = error;
    public string? Description { get; } = description;
    public int Status { get; } = status;

    /// <summary>The grant is gone for good (revoked, expired, or the client no longer allowed): only a new Connect helps.</summary>
    public bool GrantRefused => Error is "invalid_grant" or "invalid_token" or "unauthorized_client" or "access_denied";
}

/// <summary>PKCE (RFC 7636) and the random values of a Connect.</summary>
public static class Pkce
{
    /// <summary>32 random bytes, base64url: 43 characters, within RFC 7636's 43–128.</summary>
    public static string NewVerifier() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>S256: base64url(SHA-256(ASCII(verifier))).</summary>
    public static string Challenge(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>A state or browser value: 256 random bits.</summary>
    public static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>How a secret is stored: its SHA-256, hex.</summary>
    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
