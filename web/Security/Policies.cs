using Microsoft.AspNetCore.Authorization;
using Publisher.Core.Domain;

namespace Publisher.Web.Security;

/// <summary>
/// Every page and endpoint names one of these explicitly. The fallback policy (signed in, with a role) only
/// catches something that forgot to, and a test fails when anything does.
/// </summary>
public static class Policies
{
    /// <summary>Signed in and holding at least one role: what every page of the app asks for at least.</summary>
    public const string SignedIn = nameof(SignedIn);

    /// <summary>
    /// Signed in, with or without a role: only for what a person whose account has no role yet may still do (see
    /// who they are on <c>/api/me</c>, sign out). Everything else answers them 403 and the no-access page.
    /// </summary>
    public const string Account = nameof(Account);

    public const string Admin = nameof(Admin);
    public const string ManageStyleGuide = nameof(ManageStyleGuide);
    public const string Author = nameof(Author);
    public const string Review = nameof(Review);

    /// <summary>Who writes or reviews: what an approver sees of a draft (an edited link card's image) an author sees too.</summary>
    public const string AuthorOrReview = nameof(AuthorOrReview);
    public const string Audit = nameof(Audit);

    public static void Add(AuthorizationOptions options)
    {
        var signedIn = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireRole(Roles.All).Build();
        options.AddPolicy(SignedIn, signedIn);
        options.AddPolicy(Account, p => p.RequireAuthenticatedUser());
        options.FallbackPolicy = signedIn;
        options.AddPolicy(Admin, p => p.RequireRole(Roles.Admin));
        options.AddPolicy(ManageStyleGuide, p => p.RequireRole(Roles.BrandManager, Roles.Admin));
        options.AddPolicy(Author, p => p.RequireRole(Roles.Marketer, Roles.BrandManager, Roles.Admin));
        options.AddPolicy(Review, p => p.RequireRole(Roles.Approver, Roles.BrandManager));
        options.AddPolicy(AuthorOrReview, p => p.RequireRole(Roles.Marketer, Roles.BrandManager, Roles.Admin, Roles.Approver));
        options.AddPolicy(Audit, p => p.RequireRole(Roles.Admin, Roles.BrandManager));
    }
}
