using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Publisher.Web.Security;

namespace Publisher.Web.Pages;

/// <summary>The calendar is the main screen.</summary>
[Authorize(Policy = Policies.SignedIn)]
public class IndexModel : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Calendar/Index");
}
