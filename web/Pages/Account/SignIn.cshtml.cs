using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Domain;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Account;

[AllowAnonymous]
public class SignInModel(SignInManager<AppUser> signIn, DecoyPasswordCheck decoy, Core.Data.PublisherDbContext db) : PageModel
{
    public sealed record InputModel(string Email, string Password);

    [BindProperty]
    public InputModel Input { get; set; } = new("", "");

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    /// <summary>Nobody can sign in yet: a new installation waiting for its first administrator.</summary>
    public bool NoAccounts { get; private set; }

    public async Task OnGetAsync() => NoAccounts = !await db.Users.AnyAsync(u => u.InvitedAt == null);

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await signIn.UserManager.FindByEmailAsync(Input.Email.Trim());
        if (user?.PasswordHash is null)
        {
            // The same hashing work as a wrong password, so the answer's timing does not say whether the address has an account.
            decoy.Verify(Input.Password);
            Error = "That email and password do not match an account. Check both and try again.";
            return Page();
        }

        var result = await signIn.PasswordSignInAsync(user, Input.Password, isPersistent: false, lockoutOnFailure: true);
        // A page the person was sent away from wins; otherwise the landing page decides (Approvals for an approver with work).
        if (result.Succeeded)
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
        // A deactivated account is refused before its password is checked; say so only to someone who knows the password.
        if (result.IsNotAllowed && user.DeactivatedAt is not null && await signIn.UserManager.CheckPasswordAsync(user, Input.Password))
        {
            Error = "This account has been deactivated: it can no longer sign in. Ask an administrator if that is a mistake.";
            return Page();
        }
        Error = result.IsLockedOut
            ? "Too many failed sign-ins: this account is locked for 15 minutes. Wait, or ask an administrator to unlock it."
            : "That email and password do not match an account. Check both and try again.";
        return Page();
    }
}
