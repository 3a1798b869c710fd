namespace Publisher.Core.Domain;

/// <summary>The four roles; a person may hold several.</summary>
public static class Roles
{
    public const string Admin = nameof(Admin);
    public const string BrandManager = nameof(BrandManager);
    public const string Marketer = nameof(Marketer);
    public const string Approver = nameof(Approver);

    public static readonly IReadOnlyList<string> All = [Admin, BrandManager, Marketer, Approver];
}
