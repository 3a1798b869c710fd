using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Connect;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Channels;

/// <summary>
/// Disconnect, confirmed: the page says what will happen (the token revoked at the network where it can be, the
/// credentials deleted, the scheduled posts that will not go out) and the admin confirms with a POST.
/// </summary>
[Authorize(Policy = Policies.Admin)]
public class DisconnectModel(PublisherDbContext db, AccountDisconnect disconnect) : PageModel
{
    public sealed record Summary(Guid Id, string Name, string Kind, string? Handle, string? ConnectedWith, int Scheduled);

    public Summary? Account { get; private set; }

    [TempData] public string? Notice { get; set; }
    [TempData] public string? Error { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        Account = await db.ChannelAccounts.AsNoTracking().Where(a => a.Id == id && !a.IsDemo && a.DisconnectedAt == null)
            .Select(a => new Summary(a.Id, a.Name, a.Kind, a.Handle, a.ConnectedWith,
                db.Variants.Count(v => v.ChannelAccountId == a.Id && v.State == VariantState.Scheduled)))
            .SingleOrDefaultAsync(cancellationToken);
        return Account is null ? NotFound() : Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        var outcome = await disconnect.DisconnectAsync(id, User.Actor(), cancellationToken);
        if (outcome.Error is not null)
            Error = outcome.Error;
        else
            Notice = outcome.Notice;
        return Redirect($"/Channels#account-{id}");
    }
}
