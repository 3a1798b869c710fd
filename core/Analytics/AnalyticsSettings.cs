namespace Publisher.Core.Analytics;

/// <summary>The brand's analytics settings: one row, made by the migration with a fresh secret link key.</summary>
public class AnalyticsSettings
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    /// <summary>The secret the tracked links' codes are made with (see <c>LinkCodes</c>); never shown.</summary>
    public byte[] LinkKey { get; set; } = [];

    /// <summary>How long before a conversion a touch still counts.</summary>
    public int LookbackDays { get; set; } = 30;

    /// <summary>When true, <c>/t.js</c> records nothing until the site calls <c>publisher.consent(true)</c>.</summary>
    public bool RequireConsent { get; set; }

    /// <summary>Origins of the brand's sites allowed to send page views and conversions (e.g. https://northwind.example).</summary>
    public List<string> SiteOrigins { get; set; } = [];
}

/// <summary>A key a shop or CRM uses for <c>POST /api/events</c>. Only its SHA-256 is stored; the key is shown once.</summary>
public class IngestKey
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }

    /// <summary>The key's first characters, so people can tell keys apart.</summary>
    public required string Prefix { get; set; }
    public required string KeyHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedByName { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
}

/// <summary>One way a person is known (<c>c:{click id}</c>, <c>v:{visitor id}</c>, <c>e:{e-mail hash}</c>) and the person it belongs to.</summary>
public class AnalyticsIdentity
{
    public required string Key { get; set; }
    public Guid PersonId { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
}

/// <summary>The secret salt of one UTC day for visitor hashes; deleted once the day is over, so old hashes cannot be recomputed.</summary>
public class VisitorSalt
{
    public DateOnly Day { get; set; }
    public byte[] Salt { get; set; } = [];
}
