using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Templates.Channels;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Templates;

/// <summary>Every channel kind with the version of its template in use.</summary>
[Authorize(Policy = Policies.ManageStyleGuide)]
public class IndexModel(PublisherDbContext db) : PageModel
{
    public sealed record Row(ChannelProfile Profile, int? Number, string? By, DateTimeOffset? At, int Versions);

    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var current = await db.ChannelTemplateVersions
            .GroupBy(t => t.Kind)
            .Select(g => new { Kind = g.Key, Count = g.Count(), Latest = g.OrderByDescending(t => t.Number).Select(t => new { t.Number, t.CreatedByName, t.CreatedAt }).First() })
            .ToListAsync();
        Rows = ChannelProfiles.All.Select(p =>
        {
            var c = current.FirstOrDefault(x => x.Kind == p.Kind.ToString());
            return new Row(p, c?.Latest.Number, c?.Latest.CreatedByName, c?.Latest.CreatedAt, c?.Count ?? 0);
        }).ToList();
    }
}
