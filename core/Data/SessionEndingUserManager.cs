using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Publisher.Core.Domain;

namespace Publisher.Core.Data;

/// <summary>
/// The user manager every process uses. Whatever changes what a person may do (a role given or taken, a lockout)
/// also changes their security stamp, and the web app checks the stamp on every request, so each of their open
/// sessions ends at its next request and they sign in again with what they may do now. Identity already changes
/// the stamp when a password is set, changed or reset.
/// </summary>
public sealed class SessionEndingUserManager(
    IUserStore<AppUser> store,
    IOptions<IdentityOptions> optionsAccessor,
    IPasswordHasher<AppUser> passwordHasher,
    IEnumerable<IUserValidator<AppUser>> userValidators,
    IEnumerable<IPasswordValidator<AppUser>> passwordValidators,
    ILookupNormalizer keyNormalizer,
    IdentityErrorDescriber errors,
    IServiceProvider services,
    ILogger<UserManager<AppUser>> logger)
    : UserManager<AppUser>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    public override async Task<IdentityResult> AddToRoleAsync(AppUser user, string role) =>
        await EndSessionsIfAsync(await base.AddToRoleAsync(user, role), user);

    public override Task<IdentityResult> AddToRolesAsync(AppUser user, IEnumerable<string> roles) =>
        ChangeRolesAsync(user, roles, base.AddToRolesAsync);

    public override async Task<IdentityResult> RemoveFromRoleAsync(AppUser user, string role) =>
        await EndSessionsIfAsync(await base.RemoveFromRoleAsync(user, role), user);

    public override Task<IdentityResult> RemoveFromRolesAsync(AppUser user, IEnumerable<string> roles) =>
        ChangeRolesAsync(user, roles, base.RemoveFromRolesAsync);

    /// <summary>A lockout (by an admin, or the last of too many failed sign-ins) ends the sessions too; lifting one does not revive them.</summary>
    public override async Task<IdentityResult> SetLockoutEndDateAsync(AppUser user, DateTimeOffset? lockoutEnd)
    {
        var result = await base.SetLockoutEndDateAsync(user, lockoutEnd);
        return lockoutEnd > DateTimeOffset.UtcNow ? await EndSessionsIfAsync(result, user) : result;
    }

    public override async Task<IdentityResult> AccessFailedAsync(AppUser user)
    {
        var result = await base.AccessFailedAsync(user);
        return result.Succeeded && await IsLockedOutAsync(user) ? await EndSessionsIfAsync(result, user) : result;
    }

    // An empty list changes nothing (the users page always sends both), so it ends no session.
    private async Task<IdentityResult> ChangeRolesAsync(AppUser user, IEnumerable<string> roles, Func<AppUser, IEnumerable<string>, Task<IdentityResult>> change)
    {
        var list = roles.ToList();
        var result = await change(user, list);
        return list.Count == 0 ? result : await EndSessionsIfAsync(result, user);
    }

    private async Task<IdentityResult> EndSessionsIfAsync(IdentityResult result, AppUser user) =>
        result.Succeeded ? await UpdateSecurityStampAsync(user) : result;
}
