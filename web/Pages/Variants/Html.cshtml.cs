using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Variants;

/// <summary>
/// The HTML of an email or blog variant, for the preview frame. It is sanitized when rendered; here it
/// is also served with a policy that runs no script at all and may only be framed by our own pages.
/// </summary>
[Authorize(Policy = Policies.SignedIn)]
public class HtmlModel(PublisherDbContext db) : PageModel
{
    public async Task<IActionResult> OnGetAsync(Guid id)
    {
        var html = await db.Variants.Where(v => v.Id == id).Select(v => v.RenderedHtml).SingleOrDefaultAsync();
        if (html is null)
            return NotFound();
        Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'; sandbox";
        Response.Headers.XFrameOptions = "SAMEORIGIN";
        return Content(html, "text/html; charset=utf-8");
    }
}
