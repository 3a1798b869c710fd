using Microsoft.AspNetCore.Identity;
using Publisher.Core.Domain;

namespace Publisher.Web.Security;

/// <summary>
/// Identity asks this before every sign-in (with <c>SignIn.RequireConfirmedAccount</c> on): a deactivated account is
/// refused there, whatever the password, so no sign-in path (the form, an invitation link) lets it back in. Sessions
/// already open end through the security stamp, which deactivation changes.
/// </summary>
public sealed class ActiveAccounts : IUserConfirmation<AppUser>
{
    public Task<bool> IsConfirmedAsync(UserManager<AppUser> manager, AppUser user) => Task.FromResult(user.DeactivatedAt is null);
}
