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
// The form's own checks find control characters (NUL included) and show them beside their field, keeping the form.
[ValidatesControlCharacters]
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

    protected UserTimeZone UserZone => userZone;

    /// <summary>The attachments as the editor's script starts from them (JSON), with their thumbnails.</summary>
    public string AttachmentsJson { get; private set; } = "[]";

    protected async Task LoadOptionsAsync(IEnumerable<Guid>? alsoAccounts = null)
    {
        var assetIds = Input.Media.Select(m => m.AssetId).ToList();
        var assets = await db.MediaAssets.AsNoTracking().Where(a => assetIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id);
        var thumbnails = await Publisher.Core.Media.MediaLibrary.ThumbnailsAsync(db, assetIds, HttpContext?.RequestAborted ?? default);
        AttachmentsJson = System.Text.Json.JsonSerializer.Serialize(Input.Media.Where(m => assets.ContainsKey(m.AssetId)).Select(m =>
        {
            var view = Publisher.Web.Media.MediaEndpoints.View(assets[m.AssetId], thumbnails.GetValueOrDefault(m.AssetId));
            return new { assetId = m.AssetId, fileName = view.FileName, kind = view.Kind, altText = m.AltText, focalX = m.FocalX, focalY = m.FocalY,
                thumbnailUrl = view.PosterUrl ?? view.ThumbnailUrl, width = view.Width, height = view.Height };
        }));
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

    /// <summary>
    /// True when a value could not even be read into its field (a date or an id with a stray character): it
    /// is shown beside its field like the form's own checks, and nothing is saved.
    /// </summary>
    protected bool HasUnreadableFields => !ModelState.IsValid;

    public IEnumerable<string> ErrorsFor(string field) =>
        ModelState.TryGetValue(field, out var entry) ? entry.Errors.Select(e => e.ErrorMessage) : [];
}
