using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Publisher.Core.Domain;

namespace Publisher.Web.Pages.Account;

/// <summary>The link an administrator's invitation carries: the new user chooses a password here.</summary>
[AllowAnonymous]
public class AcceptInviteModel(UserManager<AppUser> users, SignInManager<AppUser> signIn) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string UserId { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Token { get; set; } = "";

    public string? Email { get; private set; }
    public bool Invalid { get; private set; }
    public List<string> Errors { get; } = [];

    public async Task OnGetAsync()
    {
        var user = await users.FindByIdAsync(UserId);
        Invalid = user?.InvitedAt is null;
        Email = user?.Email;
    }

    public async Task<IActionResult> OnPostAsync(string password)
    {
        var user = await users.FindByIdAsync(UserId);
        if (user?.InvitedAt is null)
        {
            Invalid = true;
            return Page();
        }
        Email = user.Email;
        var result = await users.ResetPasswordAsync(user, Token, password ?? "");
        if (!result.Succeeded)
        {
            Errors.AddRange(result.Errors.Select(e => e.Code == "InvalidToken"
                ? "This invitation link is not valid any more. Ask an administrator for a new one."
                : e.Description));
            return Page();
        }
        user.InvitedAt = null;
        await users.UpdateAsync(user);
        await signIn.SignInAsync(user, isPersistent: false);
        return RedirectToPage("/Calendar/Index");
    }
}
