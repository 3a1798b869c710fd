namespace Publisher.Analytics.Attribution;

/// <summary>
/// Where credit for a visit or a conversion goes: one of the brand's channel accounts (a click on one of its tracked
/// links), another source named by a UTM-tagged visit from elsewhere (<c>utm_source</c>), or "direct / unknown" when
/// no touch is known. The key is what rollups store.
/// </summary>
public readonly record struct Channel
{
    private const string AccountPrefix = "account:";
    private const string OtherPrefix = "other:";

    /// <summary>Longest <c>utm_source</c> kept; longer ones are cut.</summary>
    public const int MaxSourceLength = 60;

    private Channel(string key) => Key = key;

    /// <summary>The stored form: <c>account:{id}</c>, <c>other:{source}</c> or <c>direct</c>.</summary>
    public string Key { get; }

    /// <summary>No tracked touch: "direct / unknown". Shown, never dropped.</summary>
    public static Channel Direct { get; } = new("direct");

    /// <summary>The channel account <paramref name="id"/>.</summary>
    public static Channel Account(Guid id) => new(AccountPrefix + id.ToString("N"));

    /// <summary>A source outside Publisher, by its <c>utm_source</c> (trimmed, lower case, at most <see cref="MaxSourceLength"/> characters).</summary>
    public static Channel Other(string utmSource)
    {
        var source = utmSource.Trim().ToLowerInvariant();
        if (source.Length > MaxSourceLength)
            source = source[..MaxSourceLength];
        return source.Length == 0 ? Direct : new Channel(OtherPrefix + source);
    }

    /// <summary>Reads a stored key; anything unreadable is <see cref="Direct"/>.</summary>
    public static Channel Parse(string? key)
    {
        if (key is null)
            return Direct;
        if (key.StartsWith(AccountPrefix, StringComparison.Ordinal) && Guid.TryParseExact(key[AccountPrefix.Length..], "N", out var id))
            return Account(id);
        if (key.StartsWith(OtherPrefix, StringComparison.Ordinal))
            return Other(key[OtherPrefix.Length..]);
        return Direct;
    }

    /// <summary>True for "direct / unknown".</summary>
    public bool IsDirect => Key is null or "direct";

    /// <summary>The channel account, when this is one.</summary>
    public Guid? AccountId => Key?.StartsWith(AccountPrefix, StringComparison.Ordinal) == true && Guid.TryParseExact(Key[AccountPrefix.Length..], "N", out var id) ? id : null;

    /// <summary>The <c>utm_source</c>, when this is another source.</summary>
    public string? OtherSource => Key?.StartsWith(OtherPrefix, StringComparison.Ordinal) == true ? Key[OtherPrefix.Length..] : null;

    /// <inheritdoc />
    public override string ToString() => Key ?? "direct";
}
