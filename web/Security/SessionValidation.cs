using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Publisher.Core.Data;

namespace Publisher.Web.Security;

/// <summary>
/// Decides on every request whether the session in a sign-in cookie still stands: the account must exist, not be
/// locked out, and carry the security stamp the cookie was issued with. The stamp changes when a role is given or
/// taken, on a lockout, on a password change or reset, and on sign-out (<see cref="Core.Data.SessionEndingUserManager"/>),
/// so each of those ends every session of that account at its next request, in this and in any other web process.
/// </summary>
/// <remarks>
/// Every request, not every few minutes as Identity's own validator does: a person whose roles were taken away must
/// not keep working for the length of an interval. The cost is one primary-key lookup of two columns per signed-in
/// request, as a compiled query, with no cache: a cache would need telling about changes made by other processes.
/// The cookie's claims (roles included) are trusted only while its stamp matches, which is why every role change
/// changes the stamp.
/// </remarks>
public static class SessionValidation
{
    private sealed record SessionState(string? SecurityStamp, bool LockoutEnabled, DateTimeOffset? LockoutEnd);

    private static readonly Func<PublisherDbContext, string, Task<SessionState?>> Lookup = EF.CompileAsyncQuery(
        (PublisherDbContext db, string userId) => db.Users.AsNoTracking()
            .Where(u => u.Id == userId)
            .Select(u => new SessionState(u.SecurityStamp, u.LockoutEnabled, u.LockoutEnd))
            .FirstOrDefault());

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var claims = services.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity;
        var userId = context.Principal?.FindFirst(claims.UserIdClaimType)?.Value;
        var stamp = context.Principal?.FindFirst(claims.SecurityStampClaimType)?.Value;
        if (userId is not null && stamp is not null)
        {
            var state = await Lookup(services.GetRequiredService<PublisherDbContext>(), userId);
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            if (state is not null && state.SecurityStamp == stamp && !(state.LockoutEnabled && state.LockoutEnd > now))
                return;
        }
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
    }
}
