using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Core.Workflow;
using Publisher.Templates.Channels;
using Publisher.Web.Pages.Shared;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Channels;

/// <summary>The channel accounts the brand publishes to, and who must approve for each. Credentials are never shown back.</summary>
[Authorize(Policy = Policies.Admin)]
public class IndexModel(PublisherDbContext db, VariantWorkflow audit, TemplateChanges changes, Publisher.Core.Connect.ConnectFlow connect) : PageModel
{
    /// <summary>Roles that may sign off a step; marketers write, they do not approve.</summary>
    public static readonly IReadOnlyList<string> ApprovingRoles = [Roles.Approver, Roles.BrandManager, Roles.Admin];

    public const int MaxSteps = 3;

    /// <summary>Bytes as the media table shows them.</summary>
    public static string Size(long bytes) => bytes == long.MaxValue ? "any size"
        : bytes >= 1024L * 1024 * 1024 ? $"{bytes / (1024.0 * 1024 * 1024):0.#} GB"
        : bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024):0.#} MB" : $"{bytes / 1000.0:0} KB";

    /// <summary>A duration as the media table shows it.</summary>
    public static string Duration(TimeSpan duration) => duration == TimeSpan.MaxValue ? "any length"
        : duration.TotalSeconds < 60 ? $"{duration.TotalSeconds:0.#} s" : duration.TotalMinutes < 60 ? $"{duration.TotalMinutes:0.#} min" : $"{duration.TotalHours:0.#} h";

    public sealed record Row(Guid Id, string Name, string Kind, string? Handle, bool IsDemo, bool IsEnabled, bool AllowThreads, bool HasCredentials, IReadOnlyList<string> Steps,
        bool UtmEnabled, string? UtmSource, string? UtmMedium, string? UtmContent, IReadOnlyList<string> PostingSlots,
        string? ConnectedWith, bool NeedsReconnect, string? ReconnectReason, DateTimeOffset? DisconnectedAt)
    {
        public bool SupportsThreads => Enum.TryParse<ChannelKind>(Kind, out var kind) && ChannelProfiles.Get(kind).SupportsThreads;
    }

    public IReadOnlyList<Row> Accounts { get; private set; } = [];

    /// <summary>The networks with a Connect flow, each with why it cannot start yet (null when it can).</summary>
    public IReadOnlyList<(string Network, string Label, bool AsksForInstance, string? Unavailable)> Connectable =>
        connect.Providers.Where(p => !p.SignsInOnPublisher).Select(p => (p.Network, p.DisplayName, p.AsksForInstance, p.Unavailable)).ToList();

    /// <summary>Whether the network connects on Publisher's own form (Bluesky's app password) rather than a consent page.</summary>
    public bool SignsInOnPublisher(string network) => connect.Provider(network)?.SignsInOnPublisher == true;

    /// <summary>The network whose Connect can (re)connect an account of this kind, or null.</summary>
    public string? ConnectNetworkFor(string kind) => connect.Providers.FirstOrDefault(p => p.ChannelKinds.Contains(kind))?.Network;

    /// <summary>The address to register with each network as the redirect (callback) URI.</summary>
    public string RedirectUri => connect.RedirectUri;

    [TempData] public string? Notice { get; set; }
    [TempData] public string? Error { get; set; }

    /// <summary>The account whose thread setting just changed, when posts not yet published would now render differently.</summary>
    [TempData] public Guid? RerenderAccount { get; set; }

    /// <summary>Those posts: what re-rendering would change (and which are approved or scheduled).</summary>
    public IReadOnlyList<TemplateChanges.Outdated> Outdated { get; private set; } = [];

    public async Task OnGetAsync()
    {
        BrandZone = await LoadBrandZoneAsync();
        if (RerenderAccount is { } changed && await db.ChannelAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == changed) is { } account
            && Enum.TryParse<ChannelKind>(account.Kind, out var kind))
        {
            Outdated = (await changes.FindAsync(kind)).Where(o => o.AccountId == changed).ToList();
            RerenderAccountName = account.Name;
            RerenderAccount = changed; // kept for the re-render button
        }
        Accounts = await db.ChannelAccounts.OrderBy(a => a.Name)
            .Select(a => new Row(a.Id, a.Name, a.Kind, a.Handle, a.IsDemo, a.IsEnabled, a.AllowThreads, a.EncryptedCredentials != null, a.ApprovalSteps,
                a.UtmEnabled, a.UtmSource, a.UtmMedium, a.UtmContent, a.PostingSlots, a.ConnectedWith, a.NeedsReconnect, a.ReconnectReason, a.DisconnectedAt))
            .ToListAsync();
    }

    /// <summary>Sets the account's approval policy: the roles that must approve, in order.</summary>
    public async Task<IActionResult> OnPostPolicyAsync(Guid id, List<string?> steps)
    {
        var account = await db.ChannelAccounts.SingleOrDefaultAsync(a => a.Id == id);
        if (account is null)
            return NotFound();
        var chosen = steps.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s!).ToList();
        if (chosen.Count == 0)
            Error = $"{account.Name} needs at least one approval step: choose the role that must approve first.";
        else if (chosen.Count > MaxSteps || chosen.Any(s => !ApprovingRoles.Contains(s)))
            Error = $"Choose up to {MaxSteps} steps, each one of: {string.Join(", ", ApprovingRoles)}.";
        else
        {
            var before = string.Join(" → ", account.ApprovalSteps);
            account.ApprovalSteps = chosen;
            audit.Record(nameof(ChannelAccount), account.Id.ToString(), "approval policy changed", User.Actor(), $"{before} ⇒ {string.Join(" → ", chosen)}");
            await db.SaveChangesAsync();
            Notice = $"{account.Name} now needs: {string.Join(", then ", chosen)}.";
        }
        return RedirectToPage();
    }

    /// <summary>
    /// Sets how this account's links are tagged. Empty parts take the channel's defaults (source = the
    /// network, medium = social or email, campaign = the message's campaign).
    /// </summary>
    public async Task<IActionResult> OnPostUtmAsync(Guid id, bool enabled, string? source, string? medium, string? content)
    {
        var account = await db.ChannelAccounts.SingleOrDefaultAsync(a => a.Id == id);
        if (account is null)
            return NotFound();
        var parts = new[] { source, medium, content };
        if (parts.Any(p => p is { Length: > 100 } || (p is not null && p.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '&' or '#' or '?' or '='))))
        {
            Error = "UTM values are single words of up to 100 characters, without spaces or & # ? =: e.g. linkedin, social, spring-launch.";
            return RedirectToPage();
        }
        (account.UtmEnabled, account.UtmSource, account.UtmMedium, account.UtmContent) =
            (enabled, Blank(source), Blank(medium), Blank(content));
        audit.Record(nameof(ChannelAccount), account.Id.ToString(), "link tagging changed", User.Actor(),
            enabled ? $"source={account.UtmSource ?? "(default)"}, medium={account.UtmMedium ?? "(default)"}, content={account.UtmContent ?? "(none)"}" : "off");
        await db.SaveChangesAsync();
        Notice = enabled ? $"Links on {account.Name} are tagged with UTM parameters." : $"Links on {account.Name} are used exactly as written.";
        return RedirectToPage();
    }

    /// <summary>
    /// Sets the account's weekly posting slots, in the brand's zone, from text like "weekdays 09:00 13:00, Sat 10:30";
    /// "add to next free slot" schedules a variant in the first one no other post of the account takes.
    /// </summary>
    public async Task<IActionResult> OnPostSlotsAsync(Guid id, string? slots)
    {
        var account = await db.ChannelAccounts.SingleOrDefaultAsync(a => a.Id == id);
        if (account is null)
            return NotFound();
        BrandZone = await LoadBrandZoneAsync();
        var (parsed, errors) = PostingSlots.Parse(slots);
        if (errors.Count > 0)
        {
            Error = $"{account.Name}: " + string.Join(" ", errors);
            return RedirectToPage();
        }
        var before = string.Join(", ", account.PostingSlots);
        account.PostingSlots = parsed.Select(s => s.ToString()).ToList();
        audit.Record(nameof(ChannelAccount), account.Id.ToString(), "posting slots changed", User.Actor(),
            $"{(before.Length == 0 ? "none" : before)} ⇒ {(account.PostingSlots.Count == 0 ? "none" : string.Join(", ", account.PostingSlots))}");
        await db.SaveChangesAsync();
        Notice = account.PostingSlots.Count == 0
            ? $"{account.Name} has no posting slots now."
            : $"{account.Name} posts at: {string.Join(", ", account.PostingSlots)}, in the brand's zone ({BrandZone}).";
        return RedirectToPage();
    }

    public string? RerenderAccountName { get; private set; }

    /// <summary>
    /// Switches threads on or off for the account. On: a post longer than the network allows is split into numbered
    /// parts, each counted against the limit on its own, and the approver reviews (and approves) every part together.
    /// Off: such a post is an error to shorten. Posts already rendered keep their form until re-rendered; the page then
    /// lists those that would change and offers to re-render them.
    /// </summary>
    public async Task<IActionResult> OnPostThreadsAsync(Guid id, bool allow)
    {
        var account = await db.ChannelAccounts.SingleOrDefaultAsync(a => a.Id == id);
        if (account is null)
            return NotFound();
        if (!Enum.TryParse<ChannelKind>(account.Kind, out var kind) || !ChannelProfiles.Get(kind).SupportsThreads)
        {
            Error = $"{ChannelNames.Of(account.Kind)} has no threads: a post there is one post, however long.";
            return RedirectToPage();
        }
        if (account.AllowThreads == allow)
            return RedirectToPage();
        account.AllowThreads = allow;
        audit.Record(nameof(ChannelAccount), account.Id.ToString(), "threads changed", User.Actor(), allow ? "on" : "off");
        await db.SaveChangesAsync();
        var outdated = (await changes.FindAsync(kind)).Count(o => o.AccountId == id);
        Notice = (allow ? $"Threads are on for {account.Name}: a post too long for one {ChannelNames.Of(account.Kind)} post becomes numbered parts." 
                        : $"Threads are off for {account.Name}: a post too long for one {ChannelNames.Of(account.Kind)} post is an error to shorten.")
                 + (outdated == 0 ? " No post waiting to go out changes." : $" {outdated} not yet published would render differently now: see below.");
        RerenderAccount = outdated > 0 ? id : null;
        return RedirectToPage();
    }

    /// <summary>Re-renders the account's posts listed on the page (those still different) with its thread setting as it is now.</summary>
    public async Task<IActionResult> OnPostRerenderAsync(Guid id, List<Guid> ids)
    {
        var account = await db.ChannelAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id);
        if (account is null || !Enum.TryParse<ChannelKind>(account.Kind, out var kind))
            return NotFound();
        var (rerendered, backToReview) = await changes.RerenderAsync(kind, ids, User.Actor(), $"the thread setting of {account.Name} changed");
        Notice = rerendered == 0
            ? "Nothing to re-render: those posts were changed, published or re-rendered in the meantime."
            : $"Re-rendered {rerendered} {account.Name} post{(rerendered == 1 ? "" : "s")}" +
              (backToReview == 0 ? "." : $"; {backToReview} that {(backToReview == 1 ? "was" : "were")} approved went back to review, and {(backToReview == 1 ? "its author has" : "their authors have")} been told.");
        return RedirectToPage();
    }

    private async Task<string> LoadBrandZoneAsync() => await db.Brands.OrderBy(b => b.Id).Select(b => b.TimeZone).FirstOrDefaultAsync() ?? "UTC";

    /// <summary>The zone posting slots are in: the brand's.</summary>
    public string BrandZone { get; private set; } = "UTC";

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
