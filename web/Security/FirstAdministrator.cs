using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Core.Workflow;

namespace Publisher.Web.Security;

/// <summary>
/// A new installation without the demo has no accounts, so nobody could sign in to invite anybody. At start,
/// while the only account is at most the first administrator's unaccepted invitation, the web app invites
/// <c>PUBLISHER_ADMIN_EMAIL</c> as Admin and writes the link to choose a password to its log, where only whoever
/// runs Publisher sees it. Each start prints a fresh link until it is used; after that this does nothing.
/// </summary>
public sealed class FirstAdministrator(
    IServiceScopeFactory scopes,
    IConfiguration configuration,
    IOptions<PublishingOptions> publishing,
    TimeProvider clock,
    ILogger<FirstAdministrator> log) : IHostedService
{
    public const string EmailSetting = "PUBLISHER_ADMIN_EMAIL";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await InviteAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Sign-in pages still work; the next start tries again.
            log.LogError(e, "Could not check for or invite the first administrator");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The invitation link when one was made now; null when someone can sign in already or no email is set.</summary>
    public async Task<string?> InviteAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var accounts = await db.Users.OrderBy(u => u.Id).Select(u => new { u.Id, u.InvitedAt }).Take(2).ToListAsync(cancellationToken);
        if (accounts.Count > 1 || accounts is [{ InvitedAt: null }])
            return null;

        AppUser? user = accounts is [var pending] ? await users.FindByIdAsync(pending.Id) : null;
        if (user is null)
        {
            var email = configuration[EmailSetting]?.Trim() ?? "";
            if (email.Length == 0)
            {
                log.LogWarning("Nobody can sign in yet: this installation has no accounts. Set {Setting}=you@example.com and start Publisher again; "
                    + "the link to choose your password will be printed here.", EmailSetting);
                return null;
            }
            if (!email.Contains('@'))
            {
                log.LogWarning("{Setting} is \"{Email}\", which is not an email address: set it to the first administrator's address and start Publisher again.", EmailSetting, email);
                return null;
            }
            user = await CreateAsync(scope.ServiceProvider, email, cancellationToken);
            if (user is null)
                return null;
        }

        var token = await users.GeneratePasswordResetTokenAsync(user);
        var link = $"{publishing.Value.PublicUrl.TrimEnd('/')}/Account/AcceptInvite?userId={Uri.EscapeDataString(user.Id)}&token={Uri.EscapeDataString(token)}";
        log.LogWarning("First administrator: {Email} is invited as Admin. Open this link to choose a password (it works for a day; "
            + "each start prints a new one until it is used): {Link}", user.Email, link);
        return link;
    }

    private async Task<AppUser?> CreateAsync(IServiceProvider services, string email, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<PublisherDbContext>();
        var users = services.GetRequiredService<UserManager<AppUser>>();
        var audit = services.GetRequiredService<VariantWorkflow>();
        // A database migrated by hand has no roles yet; the launcher's is ready already, and this changes nothing there.
        await DatabaseInitializer.SeedEssentialsAsync(db, services.GetRequiredService<RoleManager<IdentityRole>>(), clock, cancellationToken);
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email, InvitedAt = clock.GetUtcNow() };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var created = await users.CreateAsync(user);
        if (created.Succeeded)
            created = await users.AddToRoleAsync(user, Roles.Admin);
        if (!created.Succeeded)
        {
            // Another web process invited someone at the same moment, or the address is refused: nothing is kept.
            log.LogWarning("The first administrator {Email} could not be invited: {Errors}", email, string.Join(" ", created.Errors.Select(e => e.Description)));
            return null;
        }
        audit.Record("User", user.Id, "invited", Actor.System, $"{email} as {Roles.Admin}, the first administrator ({EmailSetting})");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return user;
    }
}
