using Microsoft.AspNetCore.Authorization;
using Publisher.Core.Domain;

namespace Publisher.Web.Security;

/// <summary>
/// Every page and endpoint names one of these explicitly. The fallback policy (signed in) only
/// catches something that forgot to, and a test fails when anything does.
/// </summary>
public static class Policies
{
    public const string SignedIn = nameof(SignedIn);
    public const string Admin = nameof(Admin);
    public const string ManageStyleGuide = nameof(ManageStyleGuide);
    public const string Author = nameof(Author);
    public const string Review = nameof(Review);
    public const string Audit = nameof(Audit);

    public static void Add(AuthorizationOptions options)
    {
        var signedIn = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        options.AddPolicy(SignedIn, signedIn);
        options.FallbackPolicy = signedIn;
        options.AddPolicy(Admin, p => p.RequireRole(Roles.Admin));
        options.AddPolicy(ManageStyleGuide, p => p.RequireRole(Roles.BrandManager, Roles.Admin));
        options.AddPolicy(Author, p => p.RequireRole(Roles.Marketer, Roles.BrandManager, Roles.Admin));
        options.AddPolicy(Review, p => p.RequireRole(Roles.Approver, Roles.BrandManager));
        options.AddPolicy(Audit, p => p.RequireRole(Roles.Admin, Roles.BrandManager));
    }
}
