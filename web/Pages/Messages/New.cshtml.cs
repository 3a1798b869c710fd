using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Messages;

/// <summary>Write a message once and watch every channel's variant take shape as you type.</summary>
[Authorize(Policy = Policies.Author)]
public class NewModel(PublisherDbContext db) : PageModel
{
    public sealed record AccountOption(Guid Id, string Name, string Kind, string? Handle);

    public IReadOnlyList<AccountOption> Accounts { get; private set; } = [];

    public async Task OnGetAsync() =>
        Accounts = await db.ChannelAccounts.Where(a => a.IsEnabled).OrderBy(a => a.Name)
            .Select(a => new AccountOption(a.Id, a.Name, a.Kind, a.Handle))
            .ToListAsync();
}
