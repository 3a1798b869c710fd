using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Channels;

/// <summary>The channel accounts the brand publishes to. Credentials are never shown back.</summary>
[Authorize(Policy = Policies.Admin)]
public class IndexModel(PublisherDbContext db) : PageModel
{
    public sealed record Row(Guid Id, string Name, string Kind, string? Handle, bool IsDemo, bool IsEnabled, bool AllowThreads, bool HasCredentials);

    public IReadOnlyList<Row> Accounts { get; private set; } = [];

    public async Task OnGetAsync() =>
        Accounts = await db.ChannelAccounts.OrderBy(a => a.Name)
            .Select(a => new Row(a.Id, a.Name, a.Kind, a.Handle, a.IsDemo, a.IsEnabled, a.AllowThreads, a.EncryptedCredentials != null))
            .ToListAsync();
}
