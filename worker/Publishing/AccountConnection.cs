using System.Text.Json;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Core.Review;
using Publisher.Templates.Channels;
using Publisher.Worker.Channels;

namespace Publisher.Worker.Publishing;

/// <summary>Turns a stored account into what a client needs: its kind, address, decrypted credentials and settings.</summary>
public static class AccountConnection
{
    /// <exception cref="ChannelConfigurationException">The account cannot be used as stored; the message says what an admin must fix.</exception>
    public static ChannelConnection For(ChannelAccount account, ChannelCredentials credentials)
    {
        if (!Enum.TryParse<ChannelKind>(account.Kind, out var kind))
            throw new ChannelConfigurationException($"The account's channel kind “{account.Kind}” is not one Publisher can publish to.");
        IReadOnlyDictionary<string, string> secrets;
        try
        {
            secrets = credentials.Unprotect(account.EncryptedCredentials);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw new ChannelConfigurationException($"{AccountWording.TheCapitalized(account.Name)} credentials cannot be decrypted with this installation's keys: an admin must enter them again on the Channels page.");
        }
        var baseAddress = (Uri.TryCreate(account.BaseAddress, UriKind.Absolute, out var uri) ? uri : ChannelDefaults.BaseAddress(kind))
            ?? throw new ChannelConfigurationException($"{AccountWording.TheCapitalized(account.Name)} account has no address to publish to: an admin can set it on the Channels page.");
        return new ChannelConnection(kind, account.Name, account.Handle, baseAddress, secrets, ParseSettings(account.SettingsJson));
    }

    private static IReadOnlyDictionary<string, string> ParseSettings(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return new Dictionary<string, string>();
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.GetRawText());
    }
}
