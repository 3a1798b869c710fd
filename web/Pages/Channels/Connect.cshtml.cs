using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Publisher.Core.Connect;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Channels;

/// <summary>
/// Starts a Connect: the admin pressed Connect (or Reconnect) on Channels. The answer is a page that moves on to the
/// network's consent page by itself, not a redirect: the pages' Content-Security-Policy (<c>form-action 'self'</c>)
/// rightly stops a form from being redirected to another site.
/// </summary>
[Authorize(Policy = Policies.Admin)]
public class ConnectModel(ConnectFlow flow) : PageModel
{
    public Uri? AuthorizeUri { get; private set; }
    public string? Network { get; private set; }

    [TempData] public string? Error { get; set; }

    public IActionResult OnGet() => RedirectToPage("Index");

    public async Task<IActionResult> OnPostAsync(string? network, string? instance, Guid? account, CancellationToken cancellationToken)
    {
        var browser = BrowserSecret(HttpContext, flow.StateLifetime);
        var (uri, error) = await flow.StartAsync(network, instance, account, User.Id(), browser, cancellationToken);
        if (error is not null)
        {
            Error = error;
            return RedirectToPage("Index");
        }
        AuthorizeUri = uri;
        Network = flow.Provider(network)!.AsksForInstance ? uri!.Host : flow.Provider(network)!.Network;
        return Page();
    }

    /// <summary>
    /// The random value that ties a Connect to this browser, kept in a cookie sent only to the Connect pages (and by
    /// SameSite=Lax, sent when the network sends the admin back). Kept while it lasts, so two Connects in two tabs both work.
    /// </summary>
    public static string BrowserSecret(HttpContext context, TimeSpan lifetime)
    {
        var value = context.Request.Cookies[ConnectFlow.BrowserCookie];
        if (value is not { Length: 43 })
            value = Pkce.NewSecret();
        context.Response.Cookies.Append(ConnectFlow.BrowserCookie, value, new CookieOptions
        {
            Path = "/Channels/Connect",
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            MaxAge = lifetime * 2,
            IsEssential = true,
        });
        return value;
    }
}
