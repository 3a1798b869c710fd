using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Publisher.Core.Publishing;

/// <summary>
/// Encrypts a channel account's credentials with ASP.NET Data Protection before they are stored, and
/// decrypts them in the worker. The web app only ever writes them: it never shows them back.
/// </summary>
public sealed class ChannelCredentials(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Publisher.ChannelCredentials.v1");

    public string Protect(IReadOnlyDictionary<string, string> credentials) =>
        _protector.Protect(JsonSerializer.Serialize(credentials));

    public IReadOnlyDictionary<string, string> Unprotect(string? encrypted)
    {
        if (string.IsNullOrEmpty(encrypted))
            return new Dictionary<string, string>();
        return JsonSerializer.Deserialize<Dictionary<string, string>>(_protector.Unprotect(encrypted)) ?? [];
    }

    /// <summary>The names of the stored credentials (never their values), for the settings page.</summary>
    public IReadOnlyList<string> Names(string? encrypted)
    {
        try
        {
            return Unprotect(encrypted).Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => p.Key).Order().ToList();
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return [];
        }
    }

    /// <summary>Merges new values over the stored ones: a field left empty keeps what was stored; one marked for removal is dropped.</summary>
    public string? Merge(string? encrypted, IReadOnlyDictionary<string, string?> changes)
    {
        var current = new Dictionary<string, string>(Unprotect(encrypted));
        foreach (var (key, value) in changes)
        {
            if (value is null)
                current.Remove(key);
            else if (value.Length > 0)
                current[key] = value;
        }
        return current.Count == 0 ? null : Protect(current);
    }
}
