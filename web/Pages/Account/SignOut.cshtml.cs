using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Publisher.Core.Domain;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Account;

/// <summary>
/// Signing out changes the account's security stamp, so the cookie just dropped (and any copy of it) stops working
/// at once, everywhere. That ends the account's sessions on other devices too: the price of having no session
/// store, and what "sign out" should mean for a cookie that may have been copied.
/// </summary>
[Authorize(Policy = Policies.Account)]
public class SignOutModel(SignInManager<AppUser> signIn) : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Calendar/Index");

    public async Task<IActionResult> OnPostAsync()
    {
        if (await signIn.UserManager.GetUserAsync(User) is { } user)
            await signIn.UserManager.UpdateSecurityStampAsync(user);
        await signIn.SignOutAsync();
        return RedirectToPage("/Account/SignIn");
    }
}
