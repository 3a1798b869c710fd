using System.Security.Claims;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;

namespace Publisher.Web.Security;

public static class CurrentUser
{
    public static string Id(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";

    /// <summary>The signed-in user as the workflow records them.</summary>
    public static Actor Actor(this ClaimsPrincipal user) => new(user.Id(), user.DisplayName());

    /// <summary>The name people know the user by; the email address when they have not set one.</summary>
    public static string DisplayName(this ClaimsPrincipal user) =>
        user.FindFirstValue(DisplayNameClaims.ClaimType) ?? user.Identity?.Name ?? "unknown";

    public static IReadOnlyList<string> Roles(this ClaimsPrincipal user) =>
        Core.Domain.Roles.All.Where(user.IsInRole).ToList();
}
