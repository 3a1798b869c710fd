using System.Text.Json;
using Hangfire;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Jobs;
using Publisher.Core.Networking;
using Publisher.Core.Publishing;
using Publisher.Core.Workflow;
using Publisher.Templates.Channels;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Channels;

/// <summary>
/// Where and as whom an account publishes: its address, settings and credentials. Secrets are write-only:
/// the page says which are stored, never what they are. "Test connection" runs in the worker.
/// Changing where the account connects (its API address, or its SMTP server and port) clears the stored secrets:
/// otherwise whoever can edit the address could have the stored token sent to a server of their choosing.
/// </summary>
[Authorize(Policy = Policies.Admin)]
public class ConnectionModel(PublisherDbContext db, ChannelCredentials credentials, IBackgroundJobClient jobs, VariantWorkflow audit, OutboundAddressPolicy outbound) : PageModel
{
    public ChannelAccount? Account { get; private set; }
    public IReadOnlyList<ChannelField> Fields { get; private set; } = [];
    public IReadOnlyDictionary<string, string> Settings { get; private set; } = new Dictionary<string, string>();
    public IReadOnlyList<string> StoredSecrets { get; private set; } = [];
    public IReadOnlyList<string> Kinds { get; } = Enum.GetNames<ChannelKind>();

    [TempData] public string? Notice { get; set; }
    [TempData] public string? Error { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid? id)
    {
        if (id is null)
            return Page(); // the "new account" form
        Account = await db.ChannelAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id);
        if (Account is null)
            return NotFound();
        Fields = ChannelFields.For(Account.Kind);
        Settings = ReadSettings(Account.SettingsJson);
        StoredSecrets = credentials.Names(Account.EncryptedCredentials);
        return Page();
    }

    /// <summary>Adds an account; it starts switched off until its connection is set up.</summary>
    public async Task<IActionResult> OnPostCreateAsync(string? name, string? kind)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200)
            Error = "Give the account a name of up to 200 characters, e.g. “Northwind on LinkedIn”.";
        else if (!Enum.TryParse<ChannelKind>(kind, out var parsed) || !Enum.IsDefined(parsed))
            Error = "Choose the network the account is on.";
        else if (await db.ChannelAccounts.AnyAsync(a => a.Name == name))
            Error = $"There is already an account called “{name}”: choose another name.";
        if (Error is not null)
            return RedirectToPage(new { id = (Guid?)null });
        var account = new ChannelAccount
        {
            Name = name!, Kind = kind!, IsEnabled = kind == nameof(ChannelKind.Blog), CreatedAt = DateTimeOffset.UtcNow,
            AllowThreads = kind is nameof(ChannelKind.X) or nameof(ChannelKind.Mastodon) or nameof(ChannelKind.Bluesky),
        };
        db.ChannelAccounts.Add(account);
        audit.Record(nameof(ChannelAccount), account.Id.ToString(), "account added", User.Actor(), $"{name} ({kind})");
        await db.SaveChangesAsync();
        Notice = account.IsEnabled ? $"Added {name}." : $"Added {name}. Enter its connection details, test them, then switch it on.";
        return RedirectToPage(new { id = account.Id });
    }

    public async Task<IActionResult> OnPostSaveAsync(Guid id, string? handle, string? baseAddress, bool enabled, bool demo)
    {
        var account = await db.ChannelAccounts.SingleOrDefaultAsync(a => a.Id == id);
        if (account is null)
            return NotFound();
        var fields = ChannelFields.For(account.Kind);
        var errors = new List<string>();

        baseAddress = string.IsNullOrWhiteSpace(baseAddress) ? null : baseAddress.Trim();
        var address = baseAddress is not null && Uri.TryCreate(baseAddress, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" ? uri : null;
        if (baseAddress is not null && address is null)
            errors.Add("The API address must be a full address starting with https:// (or http:// for a server on your own network).");
        else if (address is not null && outbound.RefusesLiteral(address.Host) is { } kind)
            errors.Add(OutboundAddressPolicy.RefusalMessage(address.Host, kind));
        if (account.Kind == nameof(ChannelKind.Webhook) && baseAddress is null && !demo)
            errors.Add("A webhook needs the address to POST to.");

        var settings = new Dictionary<string, string>(ReadSettings(account.SettingsJson));
        var previousDestination = Destination(account.Kind, account.BaseAddress, settings);
        var typed = new Dictionary<string, string>();
        var removed = new HashSet<string>();
        foreach (var field in fields)
        {
            var value = Request.Form[$"field_{field.Key}"].ToString().Trim();
            if (value.Length > 4000)
                errors.Add($"{field.Label} is too long.");
            if (field.Secret)
            {
                typed[field.Key] = value;
                if (Request.Form[$"remove_{field.Key}"].ToString() == "on")
                    removed.Add(field.Key);
            }
            else if (value.Length == 0)
                settings.Remove(field.Key);
            else
                settings[field.Key] = value;
        }
        if (settings.TryGetValue("smtp_port", out var port) && !(int.TryParse(port, out var p) && p is > 0 and < 65536))
            errors.Add("The SMTP port is a number between 1 and 65535.");
        if (settings.TryGetValue("smtp_host", out var smtpHost) && outbound.RefusesLiteral(smtpHost) is { } smtpKind)
            errors.Add(OutboundAddressPolicy.RefusalMessage(smtpHost, smtpKind));
        if (settings.TryGetValue("unsubscribe_url", out var unsubscribe) && !(Uri.TryCreate(unsubscribe, UriKind.Absolute, out var u) && u.Scheme == "https"))
            errors.Add("The unsubscribe address must start with https://.");

        // A stored secret belongs to the destination it was entered for. When the account now connects somewhere
        // else, every stored secret not typed again in this save is cleared, so it cannot be sent to the new place.
        var stored = credentials.Names(account.EncryptedCredentials);
        var moved = previousDestination != Destination(account.Kind, baseAddress, settings);
        var cleared = moved ? stored.Where(key => typed.GetValueOrDefault(key) is not { Length: > 0 } && !removed.Contains(key)).ToList() : [];
        var secrets = fields.Where(f => f.Secret).ToDictionary(f => f.Key, f => removed.Contains(f.Key) || cleared.Contains(f.Key) ? null : typed[f.Key]);

        if (enabled && !demo)
        {
            foreach (var field in fields.Where(f => f.Required))
            {
                var present = field.Secret
                    ? secrets[field.Key] is { Length: > 0 } || (secrets[field.Key] is not null && stored.Contains(field.Key))
                    : settings.ContainsKey(field.Key);
                if (present)
                    continue;
                errors.Add(cleared.Contains(field.Key)
                    ? $"The account now connects somewhere else, so its stored {field.Label.ToLowerInvariant()} is cleared: enter it again, or switch the account off."
                    : $"{field.Label} is needed before the account can be switched on.");
            }
        }

        if (errors.Count > 0)
        {
            Error = string.Join(" ", errors); // nothing is saved
            return RedirectToPage(new { id });
        }

        account.Handle = string.IsNullOrWhiteSpace(handle) ? null : handle.Trim();
        account.BaseAddress = baseAddress;
        account.IsEnabled = enabled;
        account.IsDemo = demo;
        account.SettingsJson = settings.Count == 0 ? null : JsonSerializer.Serialize(settings);
        account.EncryptedCredentials = credentials.Merge(account.EncryptedCredentials, secrets);
        account.ConnectionCheckedAt = null;
        account.ConnectionOk = null;
        account.ConnectionMessage = null;
        var changedSecrets = secrets.Where(s => s.Value is null ? stored.Contains(s.Key) : s.Value.Length > 0).Select(s => s.Key).ToList();
        audit.Record(nameof(ChannelAccount), account.Id.ToString(), "connection changed", User.Actor(),
            (changedSecrets.Count > 0 ? $"credentials changed: {string.Join(", ", changedSecrets)}" : "settings changed")
            + (cleared.Count > 0 ? $"; it connects somewhere else, so the stored {string.Join(", ", cleared)} cleared" : ""));
        await db.SaveChangesAsync();
        var clearedLabels = fields.Where(f => cleared.Contains(f.Key)).Select(f => f.Label.ToLowerInvariant()).ToList();
        Notice = $"Saved {account.Name}."
                 + (cleared.Count > 0
                     ? $" It now connects somewhere else, so its stored {Join(clearedLabels)} {(cleared.Count == 1 ? "was" : "were")} cleared: enter {(cleared.Count == 1 ? "it" : "them")} again."
                     : "")
                 + (demo ? " It publishes to the built-in demo destination." : " Test the connection to check it works.");
        return RedirectToPage(new { id });
    }

    /// <summary>Where the account's secrets are sent: its API address, or for email its SMTP server and port.</summary>
    private static string Destination(string kind, string? baseAddress, IReadOnlyDictionary<string, string> settings) =>
        kind == nameof(ChannelKind.Email)
            ? $"{settings.GetValueOrDefault("smtp_host")?.Trim().TrimEnd('.').ToLowerInvariant()}:{settings.GetValueOrDefault("smtp_port")?.Trim()}"
            : baseAddress is not null && Uri.TryCreate(baseAddress, UriKind.Absolute, out var uri) ? uri.AbsoluteUri.TrimEnd('/') : baseAddress ?? "";

    private static string Join(IReadOnlyList<string> items) =>
        items.Count <= 1 ? string.Concat(items) : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1];

    /// <summary>Asks the worker to make a harmless authenticated call; the page shows the answer when it comes.</summary>
    public async Task<IActionResult> OnPostTestAsync(Guid id)
    {
        var account = await db.ChannelAccounts.SingleOrDefaultAsync(a => a.Id == id);
        if (account is null)
            return NotFound();
        account.ConnectionCheckedAt = null;
        account.ConnectionOk = null;
        account.ConnectionMessage = "Checking…";
        await db.SaveChangesAsync();
        jobs.Enqueue<IChannelConnectionTestJob>(JobQueues.Default, job => job.TestAsync(id, CancellationToken.None));
        Notice = "Testing the connection: the result appears below in a few seconds.";
        return RedirectToPage(new { id });
    }

    private static IReadOnlyDictionary<string, string> ReadSettings(string? json) =>
        string.IsNullOrWhiteSpace(json) ? new Dictionary<string, string>() : JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
}
