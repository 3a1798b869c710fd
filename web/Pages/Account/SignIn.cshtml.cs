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
        if (result.Succeeded)
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/Calendar");
        Error = result.IsLockedOut
            ? "Too many failed sign-ins: this account is locked for 15 minutes. Wait, or ask an administrator to unlock it."
            : "That email and password do not match an account. Check both and try again.";
        return Page();
    }
}
