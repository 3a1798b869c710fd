using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Connect;
using Publisher.Core.Data;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Channels;

/// <summary>
/// Bluesky's Connect: the admin types the account's handle and an app password (never the account's own password);
/// Publisher finds the account's PDS, signs in there, and stores the session encrypted. Anything wrong is said here and
/// nothing is saved; the password is never shown back.
/// </summary>
[Authorize(Policy = Policies.Admin)]
public class ConnectBlueskyModel(ConnectFlow flow, PublisherDbContext db) : PageModel
{
    [BindProperty(SupportsGet = true)] public Guid? Account { get; set; }
    [BindProperty] public string? Identifier { get; set; }
    [BindProperty] public string? AppPassword { get; set; }

    /// <summary>The account being reconnected, by name.</summary>
    public string? ReconnectName { get; private set; }
    public string? Failure { get; private set; }

    [TempData] public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (Account is { } id)
        {
            var account = await db.ChannelAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.Kind == "Bluesky", cancellationToken);
            if (account is null)
                return NotFound();
            ReconnectName = account.Name;
            Identifier = account.Handle?.TrimStart('@');
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var outcome = await flow.ConnectWithAppPasswordAsync(Identifier, AppPassword, Account, User.Actor(), cancellationToken);
        AppPassword = null; // never shown back
        if (outcome.Error is not null)
        {
            Failure = outcome.Error;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            if (Account is { } id)
                ReconnectName = await db.ChannelAccounts.AsNoTracking().Where(a => a.Id == id).Select(a => a.Name).SingleOrDefaultAsync(cancellationToken);
            return Page();
        }
        Notice = outcome.Created
            ? $"Connected {outcome.AccountName}. It is switched on and ready to publish."
            : $"Reconnected {outcome.AccountName}: its new session is stored.";
        return Redirect($"/Channels#account-{outcome.AccountId}");
    }
}
