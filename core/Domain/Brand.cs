namespace Publisher.Core.Domain;

/// <summary>The brand this installation publishes for.</summary>
public class Brand
{
    public int Id { get; set; }
    public required string Name { get; set; }

    /// <summary>The IANA zone users see times in unless they choose their own.</summary>
    public required string TimeZone { get; set; }
    public string? LogoText { get; set; }
}
