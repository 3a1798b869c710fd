using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Workflow;
using Publisher.Web.Security;
using Publisher.Web.Time;

namespace Publisher.Web.Pages.Messages;

/// <summary>What the New and Edit pages share: the form, the options it offers and how a save's errors are shown.</summary>
// A 5 MB body must reach the validation (which names the limit) rather than fail in the form reader.
[RequestFormLimits(ValueLengthLimit = 8 * 1024 * 1024, MultipartBodyLengthLimit = 8 * 1024 * 1024)]
[RequestSizeLimit(9 * 1024 * 1024)]
public abstract class EditorPageModel(PublisherDbContext db, UserTimeZone userZone) : PageModel
{
    public sealed record AccountOption(Guid Id, string Name, string Kind, string? Handle, bool IsEnabled, bool AllowThreads = false);
    public sealed record CampaignOption(Guid Id, string Name);

    [BindProperty]
    public MessageForm Input { get; set; } = new();

    public IReadOnlyList<AccountOption> Accounts { get; private set; } = [];
    public IReadOnlyList<CampaignOption> Campaigns { get; private set; } = [];
    public IReadOnlyList<string> TimeZones { get; private set; } = [];

    protected PublisherDbContext Db => db;

    protected async Task LoadOptionsAsync(IEnumerable<Guid>? alsoAccounts = null)
    {
        var also = alsoAccounts?.ToList() ?? [];
        Accounts = await db.ChannelAccounts.Where(a => a.IsEnabled || also.Contains(a.Id)).OrderBy(a => a.Name)
            .Select(a => new AccountOption(a.Id, a.Name, a.Kind, a.Handle, a.IsEnabled, a.AllowThreads))
            .ToListAsync();
        Campaigns = await db.Campaigns.OrderByDescending(c => c.StartsOn).Select(c => new CampaignOption(c.Id, c.Name)).ToListAsync();
        TimeZones = TimeZoneInfo.GetSystemTimeZones().Where(z => z.HasIanaId).Select(z => z.Id).Order(StringComparer.Ordinal).ToList();
    }

    protected async Task<string> DefaultZoneAsync() => (await userZone.GetAsync()).Id;

    protected Actor CurrentActor() => User.Actor();

    protected void ShowErrors(MessageWriter.Result result, string prefix = "Input.")
    {
        foreach (var (field, error) in result.Errors)
            ModelState.AddModelError(field.Length == 0 ? "" : prefix + field, error);
    }

    public IEnumerable<string> ErrorsFor(string field) =>
        ModelState.TryGetValue(field, out var entry) ? entry.Errors.Select(e => e.ErrorMessage) : [];
}
