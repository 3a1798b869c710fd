using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace Publisher.Core.Publishing;

/// <summary>
/// The key-encryption key that wraps the Data Protection keys kept in PostgreSQL, so a copy of the database
/// alone cannot decrypt channel credentials. It comes from PUBLISHER_MASTER_KEY (32 random bytes, base64);
/// <c>./run.sh</c> creates one in the data folder on first run.
/// </summary>
public sealed class MasterKey
{
    public const string EnvironmentVariable = "PUBLISHER_MASTER_KEY";
    private readonly byte[] _key;

    private MasterKey(byte[] key) => _key = key;

    /// <summary>Null when no key is configured; throws with what to do when one is configured wrongly.</summary>
    public static MasterKey? FromConfiguration(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
            return null;
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{EnvironmentVariable} is not base64. Make one with: openssl rand -base64 32");
        }
        if (key.Length != 32)
            throw new InvalidOperationException($"{EnvironmentVariable} must be 32 bytes (it is {key.Length}). Make one with: openssl rand -base64 32");
        return new MasterKey(key);
    }

    public static string Generate() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Reads the key in <paramref name="path"/>, creating it (readable by the owner only) the first time.</summary>
    public static string LoadOrCreateFile(string path)
    {
        if (File.Exists(path))
            return File.ReadAllText(path).Trim();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = Generate();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(key);
        return key;
    }

    /// <summary>A short fingerprint that tells keys apart without revealing them.</summary>
    public string Id => Convert.ToHexString(SHA256.HashData(_key))[..16].ToLowerInvariant();

    internal byte[] Seal(byte[] plaintext, byte[] associated)
    {
        var nonce = RandomNumberGenerator.GetBytes(12);
        var tag = new byte[16];
        var cipher = new byte[plaintext.Length];
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(nonce, plaintext, cipher, tag, associated);
        return [.. nonce, .. tag, .. cipher];
    }

    internal byte[] Open(byte[] sealedBytes, byte[] associated)
    {
        if (sealedBytes.Length < 28)
            throw new CryptographicException("The protected key is truncated.");
        var plaintext = new byte[sealedBytes.Length - 28];
        using var aes = new AesGcm(_key, 16);
        aes.Decrypt(sealedBytes.AsSpan(0, 12), sealedBytes.AsSpan(28), sealedBytes.AsSpan(12, 16), plaintext, associated);
        return plaintext;
    }
}

/// <summary>Wraps each Data Protection key element with AES-256-GCM under the <see cref="MasterKey"/>.</summary>
public sealed class MasterKeyXmlEncryptor(MasterKey key) : IXmlEncryptor
{
    internal static readonly byte[] Associated = Encoding.UTF8.GetBytes("Publisher.DataProtectionKey.v1");

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var bytes = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var element = new XElement("encryptedKey",
            new XAttribute("masterKeyId", key.Id),
            new XElement("value", Convert.ToBase64String(key.Seal(bytes, Associated))));
        return new EncryptedXmlInfo(element, typeof(MasterKeyXmlDecryptor));
    }
}

/// <summary>Created by Data Protection through its service provider when it reads a wrapped key.</summary>
public sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var key = services.GetService<MasterKey>()
            ?? throw new CryptographicException($"The data protection keys are encrypted, but {MasterKey.EnvironmentVariable} is not set: set it to the key this installation was started with.");
        var expected = encryptedElement.Attribute("masterKeyId")?.Value;
        if (expected is not null && expected != key.Id)
            throw new CryptographicException($"The data protection keys were encrypted with another master key ({expected}), not the configured one ({key.Id}): set {MasterKey.EnvironmentVariable} to the original key.");
        var sealedBytes = Convert.FromBase64String(encryptedElement.Element("value")?.Value ?? "");
        return XElement.Parse(Encoding.UTF8.GetString(key.Open(sealedBytes, MasterKeyXmlEncryptor.Associated)));
    }
}
