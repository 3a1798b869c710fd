using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Web.Pages.Shared;
using Publisher.Web.Security;
using Publisher.Web.Time;

namespace Publisher.Web.Pages.Variants;

/// <summary>
/// Every post the style guide holds back, soonest first, with the rules it breaks: where the style guide's
/// "N scheduled held back" notice leads, so whoever saved the guide sees what it stopped.
/// </summary>
[Authorize(Policy = Policies.SignedIn)]
public class HeldModel(PublisherDbContext db, UserTimeZone userZone) : PageModel
{
    public sealed record Row(Guid Id, Guid MessageId, string Title, string Account, string Kind, VariantState State, DateTime? Local, string Reason);

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public async Task OnGetAsync()
    {
        Zone = await userZone.GetAsync();
        var held = await db.Variants.AsNoTracking()
            .Where(v => v.HeldByStyleGuide && v.State != VariantState.Published && v.State != VariantState.Canceled)
            .OrderBy(v => v.ScheduledAt == null).ThenBy(v => v.ScheduledAt).ThenBy(v => v.Id)
            .Take(500)
            .Select(v => new { v.Id, v.MessageId, v.Message!.Title, Account = v.ChannelAccount!.Name, v.ChannelAccount.Kind, v.State, v.ScheduledAt, v.StyleFindingsJson })
            .ToListAsync();
        Rows = held.Select(v => new Row(v.Id, v.MessageId, v.Title, v.Account, v.Kind, v.State, v.ScheduledAt is { } at ? Zone.Local(at) : null, HeldView.Reason(v.StyleFindingsJson))).ToList();
    }
}
