using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Admin.Users;

/// <summary>Admins invite people and decide their roles.</summary>
[Authorize(Policy = Policies.Admin)]
public class IndexModel(UserManager<AppUser> users, VariantWorkflow audit, Core.Data.PublisherDbContext db, TimeProvider clock) : PageModel
{
    public sealed record Row(string Id, string Email, string DisplayName, IReadOnlyList<string> Roles, bool Invited, bool LockedOut);

    public sealed class InviteInput
    {
        public string Email { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public List<string> Roles { get; set; } = [];
    }

    [BindProperty]
    public InviteInput Invite { get; set; } = new();

    public IReadOnlyList<Row> Users { get; private set; } = [];
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

    private Actor Actor() => User.Actor();

    private async Task LoadAsync()
    {
        var now = clock.GetUtcNow();
        var all = await db.Users.OrderBy(u => u.Email).ToListAsync();
        var roleNames = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name }).ToListAsync();
        Users = all.Select(u => new Row(u.Id, u.Email ?? "", u.DisplayName,
            roleNames.Where(r => r.UserId == u.Id).Select(r => r.Name!).Order().ToList(),
            u.InvitedAt is not null, u.LockoutEnd > now)).ToList();
    }
}
