using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Status;

/// <summary>What people see for 403, 404 and errors; the original status code is kept.</summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public class IndexModel : PageModel
{
    public string Title { get; private set; } = "";
    public string Explanation { get; private set; } = "";

    /// <summary>The text of the form that was refused, so nothing typed is lost.</summary>
    public IReadOnlyList<RejectedInput.Field> Kept { get; private set; } = [];

    /// <summary>Enough rows to show a kept field's text without scrolling, up to a dozen.</summary>
    public static int Rows(string text) => Math.Clamp(text.Count(c => c == '\n') + 1, 1, 12);

    /// <summary>Signed in, but the account has no role yet: every page answers this, and nothing links further in.</summary>
    public bool NoAccessYet { get; private set; }

    public void OnGet(int code) => Describe(code);

    public void OnPost(int code) => Describe(code);

    private void Describe(int code)
    {
        if (HttpContext.Features.Get<RejectedInput>() is { } rejected)
        {
            (Title, Explanation, Kept) = (rejected.Title, rejected.Explanation, rejected.Kept);
            return;
        }
        NoAccessYet = code == 403 && User.Identity?.IsAuthenticated == true && User.Roles().Count == 0;
        if (NoAccessYet)
        {
            (Title, Explanation) = ("You have no access yet",
                "Your account has no role yet, so there is nothing in Publisher you can open. Ask an administrator to give you a role (Admin → Users); then sign in again.");
            return;
        }
        (Title, Explanation) = code switch
        {
            403 => ("You don't have access to this page", "Your roles do not include this. If you need it, ask an administrator to add the role to your account."),
            404 => ("Page not found", "There is nothing at this address. It may have been moved or deleted."),
            400 => ("That request could not be used", "The form may have expired. Go back, reload the page and try again."),
            413 => ("What you sent is too large", "It is more than this page accepts. Nothing was saved: go back, shorten or split it, and send it again."),
            _ => ("Something went wrong", "The error has been logged. Try again; if it keeps happening, tell an administrator."),
        };
    }
}
