using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Publisher.Core.Publishing;

/// <summary>
/// Encrypts a channel account's credentials with ASP.NET Data Protection before they are stored, and
/// decrypts them in the worker. The web app only ever writes them: it never shows them back.
/// </summary>
public sealed class ChannelCredentials(IDataProtectionProvider provider, KeyRingReload reload, TimeProvider clock)
{
    private const string Purpose = "Publisher.ChannelCredentials.v1";

    /// <summary>Reading the key ring again is cheap but not free: a credential that will not decrypt must not make every call do it.</summary>
    private static readonly TimeSpan ReloadAtMostEvery = TimeSpan.FromSeconds(5);

    private IDataProtector _protector = provider.CreateProtector(Purpose);
    private long _lastReloadTicks;

    public string Protect(IReadOnlyDictionary<string, string> credentials) =>
        _protector.Protect(JsonSerializer.Serialize(credentials));

    /// <exception cref="System.Security.Cryptography.CryptographicException">Not even a fresh read of the key ring can decrypt it.</exception>
    public IReadOnlyDictionary<string, string> Unprotect(string? encrypted)
    {
        if (string.IsNullOrEmpty(encrypted))
            return new Dictionary<string, string>();
        string json;
        try
        {
            json = _protector.Unprotect(encrypted);
        }
        catch (System.Security.Cryptography.CryptographicException) when (MayReload())
        {
            // Protected with a key this process has not read (another process made it after this one started):
            // read the key ring again and keep the fresh one for what follows.
            var fresh = reload.Protector(Purpose);
            json = fresh.Unprotect(encrypted);
            _protector = fresh;
        }
        return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
    }

    private bool MayReload()
    {
        var now = clock.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastReloadTicks);
        return now - last >= ReloadAtMostEvery.Ticks && Interlocked.CompareExchange(ref _lastReloadTicks, now, last) == last;
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
