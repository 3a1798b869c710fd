using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;
using Publisher.Web.Security;
using Publisher.Web.Time;

namespace Publisher.Web.Pages.Admin.Users;

/// <summary>Admins invite people, decide their roles, deactivate those who leave and remove accounts that were never used.</summary>
[Authorize(Policy = Policies.Admin)]
public class IndexModel(UserManager<AppUser> users, VariantWorkflow audit, Core.Data.PublisherDbContext db, TimeProvider clock, UserTimeZone userZone) : PageModel
{
    public sealed record Row(string Id, string Email, string DisplayName, IReadOnlyList<string> Roles, bool Invited, bool LockedOut, DateTimeOffset? DeactivatedAt, bool NeverActed);

    public sealed class InviteInput
    {
        public string Email { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public List<string> Roles { get; set; } = [];
    }

    [BindProperty]
    public InviteInput Invite { get; set; } = new();

    public IReadOnlyList<Row> Users { get; private set; } = [];
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;
    public string? InviteLink { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    public List<string> Errors { get; } = [];

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostInviteAsync()
    {
        var email = Invite.Email.Trim();
        var roles = Invite.Roles.Where(r => Core.Domain.Roles.All.Contains(r)).Distinct().ToList();
        if (!email.Contains('@'))
            Errors.Add("Enter the email address of the person to invite.");
        if (roles.Count == 0)
            Errors.Add("Choose at least one role: what the person will do decides what they may see.");
        if (Errors.Count == 0 && await users.FindByEmailAsync(email) is not null)
            Errors.Add($"{email} already has an account.");
        if (Errors.Count > 0)
        {
            await LoadAsync();
            return Page();
        }

        var user = new AppUser
        {
            UserName = email, Email = email, EmailConfirmed = true,
            DisplayName = string.IsNullOrWhiteSpace(Invite.DisplayName) ? email : Invite.DisplayName.Trim(),
            InvitedAt = clock.GetUtcNow(),
        };
        await using var transaction = await db.Database.BeginTransactionAsync();
        var created = await users.CreateAsync(user);
        if (created.Succeeded)
            created = await users.AddToRolesAsync(user, roles);
        if (!created.Succeeded)
        {
            Errors.AddRange(created.Errors.Select(e => e.Description));
            await LoadAsync();
            return Page();
        }
        audit.Record("User", user.Id, "invited", Actor(), $"{email} as {string.Join(", ", roles)}");
        await db.SaveChangesAsync();
        await transaction.CommitAsync();

        var token = await users.GeneratePasswordResetTokenAsync(user);
        InviteLink = Url.Page("/Account/AcceptInvite", null, new { userId = user.Id, token }, Request.Scheme);
        Notice = $"Invited {email}. Send them the link below: it lets them choose a password.";
        Invite = new InviteInput();
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostRolesAsync(string userId, List<string> roles)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
            return NotFound();
        roles = roles.Where(r => Core.Domain.Roles.All.Contains(r)).Distinct().ToList();
        var current = await users.GetRolesAsync(user);
        if (user.Id == users.GetUserId(User) && current.Contains(Core.Domain.Roles.Admin) && !roles.Contains(Core.Domain.Roles.Admin))
        {
            Notice = "You cannot take the Admin role away from yourself: ask another administrator.";
            return RedirectToPage();
        }

        await users.RemoveFromRolesAsync(user, current.Except(roles));
        await users.AddToRolesAsync(user, roles.Except(current));
        audit.Record("User", user.Id, "roles changed", Actor(), $"{string.Join(", ", current)} → {string.Join(", ", roles)}");
        await db.SaveChangesAsync();
        Notice = $"Roles of {user.Email} are now: {(roles.Count == 0 ? "none" : string.Join(", ", roles))}.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostUnlockAsync(string userId)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
            return NotFound();
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        audit.Record("User", user.Id, "unlocked", Actor());
        await db.SaveChangesAsync();
        Notice = $"{user.Email} can sign in again.";
        return RedirectToPage();
    }

    /// <summary>
    /// Deactivates an account: sign-in is refused from now on, and sessions already open end on their next request
    /// (the security stamp changes). Everything the person did stays in the history under their name; their roles are
    /// kept for a reactivation, but they are told of no more work.
    /// </summary>
    public async Task<IActionResult> OnPostDeactivateAsync(string userId)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
            return NotFound();
        if (user.Id == users.GetUserId(User))
        {
            Notice = "You cannot deactivate your own account: ask another administrator.";
            return RedirectToPage();
        }
        if (user.DeactivatedAt is not null)
            return RedirectToPage();
        if ((await users.GetRolesAsync(user)).Contains(Core.Domain.Roles.Admin) && !await AnotherActiveAdminAsync(user.Id))
        {
            Notice = $"{user.Email} is the last active administrator: make someone else Admin first.";
            return RedirectToPage();
        }
        user.DeactivatedAt = clock.GetUtcNow();
        var updated = await users.UpdateAsync(user);
        if (updated.Succeeded)
            updated = await users.UpdateSecurityStampAsync(user);
        if (!updated.Succeeded)
        {
            Notice = "The account could not be deactivated: " + string.Join(" ", updated.Errors.Select(e => e.Description));
            return RedirectToPage();
        }
        audit.Record("User", user.Id, "deactivated", Actor(), $"{user.DisplayName} <{user.Email}>");
        await db.SaveChangesAsync();
        Notice = $"{user.Email} is deactivated: they cannot sign in, and any session they had open has ended. Their history keeps their name.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostReactivateAsync(string userId)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
            return NotFound();
        user.DeactivatedAt = null;
        await users.UpdateAsync(user);
        audit.Record("User", user.Id, "reactivated", Actor(), $"{user.DisplayName} <{user.Email}>");
        await db.SaveChangesAsync();
        Notice = $"{user.Email} can sign in again, with the roles they had.";
        return RedirectToPage();
    }

    /// <summary>
    /// Removes an account that never did anything: no audit event, message, approval, comment, accepted warning, saved
    /// template or guide version. Anyone who acted is deactivated instead, so the history keeps a person behind each name.
    /// </summary>
    public async Task<IActionResult> OnPostRemoveAsync(string userId)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
            return NotFound();
        if (user.Id == users.GetUserId(User))
        {
            Notice = "You cannot remove your own account.";
            return RedirectToPage();
        }
        if (!await NeverActedAsync(user.Id))
        {
            Notice = $"{user.Email} has taken part in the work (the history names them), so the account cannot be removed: deactivate it instead.";
            return RedirectToPage();
        }
        await using var transaction = await db.Database.BeginTransactionAsync();
        var deleted = await users.DeleteAsync(user);
        if (!deleted.Succeeded)
        {
            Notice = "The account could not be removed: " + string.Join(" ", deleted.Errors.Select(e => e.Description));
            return RedirectToPage();
        }
        audit.Record("User", user.Id, "removed", Actor(), $"{user.DisplayName} <{user.Email}>, who had never acted");
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        Notice = $"Removed {user.Email}.";
        return RedirectToPage();
    }

    private Task<bool> AnotherActiveAdminAsync(string exceptUserId) =>
        (from ur in db.UserRoles
         join r in db.Roles on ur.RoleId equals r.Id
         join u in db.Users on ur.UserId equals u.Id
         where r.Name == Core.Domain.Roles.Admin && u.Id != exceptUserId && u.DeactivatedAt == null && u.InvitedAt == null
         select u.Id).AnyAsync();

    /// <summary>
    /// Everyone the history points at: whoever recorded an event, wrote a message, approved, commented, accepted a
    /// warning, edited a variant, or saved a template or guide version. One definition for the page's "never acted"
    /// and for what may be removed, so the page never offers a removal that would be refused.
    /// </summary>
    private IQueryable<string> PeopleWhoActed() =>
        db.AuditEvents.Where(e => e.ActorId != null).Select(e => e.ActorId!)
            .Union(db.Messages.Select(m => m.AuthorId)).Union(db.Approvals.Select(a => a.ApproverId)).Union(db.Comments.Select(c => c.AuthorId))
            .Union(db.WarningAcceptances.Select(w => w.AcceptedById)).Union(db.Variants.Where(v => v.LastEditedById != null).Select(v => v.LastEditedById!))
            .Union(db.ChannelTemplateVersions.Where(t => t.CreatedById != null).Select(t => t.CreatedById!))
            .Union(db.StyleGuideVersions.Where(g => g.CreatedById != null).Select(g => g.CreatedById!));

    private async Task<bool> NeverActedAsync(string userId) => !await PeopleWhoActed().AnyAsync(id => id == userId);

    private Actor Actor() => User.Actor();

    private async Task LoadAsync()
    {
        Zone = await userZone.GetAsync();
        var now = clock.GetUtcNow();
        var all = await db.Users.OrderBy(u => u.Email).ToListAsync();
        var roleNames = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name }).ToListAsync();
        var acted = (await PeopleWhoActed().ToListAsync()).ToHashSet();
        Users = all.Select(u => new Row(u.Id, u.Email ?? "", u.DisplayName,
            roleNames.Where(r => r.UserId == u.Id).Select(r => r.Name!).Order().ToList(),
            u.InvitedAt is not null, u.LockoutEnd > now, u.DeactivatedAt, !acted.Contains(u.Id))).ToList();
    }
}
