using Microsoft.AspNetCore.DataProtection;

namespace Publisher.Core.Connect;

/// <summary>
/// Encrypts what a Connect keeps between requests (the PKCE verifier, a token waiting for the admin's choice, a
/// Mastodon client's secret) with the same Data Protection key ring as channel credentials, under a purpose of its own.
/// </summary>
public sealed class ConnectSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Publisher.Connect.v1");

    public string Protect(string value) => _protector.Protect(value);

    /// <exception cref="System.Security.Cryptography.CryptographicException">Not this installation's, or tampered with.</exception>
    public string Unprotect(string value) => _protector.Unprotect(value);
}
