using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Networking;
using Publisher.Core.Publishing;
using Publisher.Core.Workflow;

namespace Publisher.Core.Connect;

/// <summary>What came of the network's answer: an error to show, an account connected, or accounts to choose from.</summary>
public sealed record ConnectOutcome(string? Error, Guid? AccountId = null, string? AccountName = null, bool Created = false,
    Guid? AttemptId = null, IReadOnlyList<ConnectChoice>? Choices = null, int Count = 1)
{
    public static ConnectOutcome Failed(string error) => new(error);
}

/// <summary>One account the token may publish as, and the channel account it is already connected as (null: not yet).</summary>
public sealed record ConnectChoice(string ExternalId, string Name, string? ConnectedAs = null);

/// <summary>
/// The OAuth 2.0 authorization code flow every network's Connect shares. <see cref="StartAsync"/> makes a state bound
/// to the admin and their browser (only its hash is stored), a PKCE verifier kept on the server (encrypted), and the
/// consent page's address; <see cref="CompleteAsync"/> takes the network's answer once, within the state's lifetime, from
/// the same admin in the same browser, exchanges the code with the verifier, reads the account(s) the token may publish
/// as, and stores the token encrypted on the channel account exactly as typed credentials are. Any failure saves
/// nothing and says what to do.
/// </summary>
public sealed class ConnectFlow(
    PublisherDbContext db,
    IEnumerable<ConnectProvider> providers,
    ConnectSecrets secrets,
    ChannelCredentials credentials,
    VariantWorkflow audit,
    OutboundAddressPolicy outbound,
    IOptions<ConnectOptions> options,
    IOptions<PublishingOptions> publishing,
    TimeProvider clock,
    ILogger<ConnectFlow> log)
{
    /// <summary>Where every network sends the admin back: register <c>{PUBLISHER_URL}/Channels/Connect/Callback</c> with each.</summary>
    public const string CallbackPath = "/Channels/Connect/Callback";

    /// <summary>The cookie that ties a Connect to the browser it started in.</summary>
    public const string BrowserCookie = "publisher.connect";

    private const string StartAgain = "Nothing was connected: press Connect again on Channels.";

    public string RedirectUri => publishing.Value.PublicUrl.TrimEnd('/') + CallbackPath;

    public IReadOnlyList<ConnectProvider> Providers { get; } = providers.ToList();

    public ConnectProvider? Provider(string? network) => Providers.FirstOrDefault(p => string.Equals(p.Network, network, StringComparison.OrdinalIgnoreCase));

    public TimeSpan StateLifetime => options.Value.StateLifetime;

    /// <summary>
    /// Begins a Connect for <paramref name="userId"/>, whose browser holds <paramref name="browserSecret"/>: the consent
    /// page to send them to, or why it cannot start.
    /// </summary>
    public async Task<(Uri? AuthorizeUri, string? Error)> StartAsync(string? network, string? instance, Guid? reconnectAccountId, string userId, string browserSecret, CancellationToken cancellationToken)
    {
        var provider = Provider(network);
        if (provider is null)
            return (null, "Choose one of the networks Publisher can connect to.");
        if (provider.Unavailable is { } why)
            return (null, why);
        if (provider.SignsInOnPublisher)
            return (null, $"{provider.Network} connects with an app password: use its Connect form on Channels.");

        ChannelAccount? reconnect = null;
        if (reconnectAccountId is { } id)
        {
            reconnect = await db.ChannelAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
            if (reconnect is null || !provider.ChannelKinds.Contains(reconnect.Kind))
                return (null, $"That account is not a {provider.Network} account: choose Reconnect on the account itself.");
            if (provider.AsksForInstance)
                instance = reconnect.BaseAddress;
        }

        Uri? server = null;
        if (provider.AsksForInstance)
        {
            var (parsed, error) = ParseInstance(instance);
            if (error is not null)
                return (null, error);
            server = parsed;
        }

        OAuthClient client;
        try
        {
            client = await provider.ClientAsync(server, RedirectUri, cancellationToken);
        }
        catch (Exception e) when (Unreachable(e, provider, server) is { } message)
        {
            return (null, message);
        }

        var now = clock.GetUtcNow();
        // Attempts nobody finished are of no use a day after they expired.
        await db.ConnectAttempts.Where(a => a.ExpiresAt < now.AddDays(-1)).ExecuteDeleteAsync(cancellationToken);
        var state = Pkce.NewSecret();
        var verifier = Pkce.NewVerifier();
        db.ConnectAttempts.Add(new ConnectAttempt
        {
            StateHash = Pkce.Hash(state), UserId = userId, BrowserHash = Pkce.Hash(browserSecret), Network = provider.Network,
            Instance = server is null ? null : MastodonConnect.Origin(server), RedirectUri = RedirectUri,
            ProtectedVerifier = secrets.Protect(verifier), ReconnectAccountId = reconnect?.Id,
            CreatedAt = now, ExpiresAt = now + options.Value.StateLifetime,
        });
        await db.SaveChangesAsync(cancellationToken);
        return (provider.AuthorizeUri(client, RedirectUri, state, Pkce.Challenge(verifier)), null);
    }

    /// <summary>
    /// The network sent the admin back with <paramref name="code"/> (or <paramref name="error"/>) and
    /// <paramref name="state"/>. Spends the state, exchanges the code, and connects the account (or lists the accounts
    /// to choose from).
    /// </summary>
    public async Task<ConnectOutcome> CompleteAsync(string? state, string? code, string? error, string? errorDescription,
        string userId, string? browserSecret, Actor actor, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(state))
            return ConnectOutcome.Failed($"The network's answer carried no state, so Publisher cannot tell which Connect it belongs to. {StartAgain}");
        var attempt = await db.ConnectAttempts.AsNoTracking().SingleOrDefaultAsync(a => a.StateHash == Pkce.Hash(state), cancellationToken);
        if (attempt is null)
            return ConnectOutcome.Failed($"This answer does not belong to any Connect Publisher started (the link may be old or altered). {StartAgain}");
        if (attempt.UserId != userId || browserSecret is null || attempt.BrowserHash != Pkce.Hash(browserSecret))
            return ConnectOutcome.Failed("This Connect was started by another person or in another browser, so it cannot be finished here. Press Connect on Channels in this browser, signed in as yourself.");
        var now = clock.GetUtcNow();
        // Spent once, by whichever answer comes first: a replayed or doubled answer finds it used.
        var spent = await db.ConnectAttempts.Where(a => a.Id == attempt.Id && a.UsedAt == null).ExecuteUpdateAsync(s => s.SetProperty(a => a.UsedAt, now), cancellationToken);
        if (spent == 0)
            return ConnectOutcome.Failed($"This Connect has already been used. {StartAgain}");
        if (now > attempt.ExpiresAt)
            return ConnectOutcome.Failed($"This Connect took longer than {options.Value.StateLifetime.TotalMinutes:0} minutes, so it has expired. {StartAgain}");

        var provider = Provider(attempt.Network)!;
        if (!string.IsNullOrEmpty(error))
            return ConnectOutcome.Failed(error == "access_denied"
                ? $"You did not allow Publisher on {provider.Network}, so nothing was connected. To connect the account, press Connect again and choose Allow (or Authorize)."
                : $"{provider.Network} refused the Connect ({NetworkReplyText.Clean(error, 60)}{(string.IsNullOrEmpty(errorDescription) ? "" : ": " + NetworkReplyText.Clean(errorDescription))}). {StartAgain}");
        if (string.IsNullOrEmpty(code))
            return ConnectOutcome.Failed($"{provider.Network} sent Publisher back without an authorization code. {StartAgain}");

        Uri? server = attempt.Instance is null ? null : new Uri(attempt.Instance);
        OAuthToken token;
        OAuthClient client;
        IReadOnlyList<ConnectableAccount> accounts;
        try
        {
            client = await provider.ClientAsync(server, attempt.RedirectUri, cancellationToken);
            token = await provider.ExchangeCodeAsync(client, code, attempt.RedirectUri, secrets.Unprotect(attempt.ProtectedVerifier), cancellationToken);
        }
        catch (OAuthException e)
        {
            return ConnectOutcome.Failed($"{provider.Network} refused to give Publisher a token ({e.Error}: {e.Description}). {StartAgain}");
        }
        catch (Exception e) when (Unreachable(e, provider, server) is { } message)
        {
            return ConnectOutcome.Failed(message);
        }
        try
        {
            accounts = await provider.AccountsAsync(client, token, cancellationToken);
        }
        catch (Exception e) when (e is OAuthException || Unreachable(e, provider, server) is not null)
        {
            await RevokeQuietlyAsync(provider, client, token.AccessToken);
            return ConnectOutcome.Failed(e is OAuthException refused
                ? $"{provider.Network} gave a token but would not say which account it belongs to ({refused.Error}: {refused.Description}). {StartAgain}"
                : Unreachable(e, provider, server)!);
        }
        if (accounts.Count == 0)
        {
            await RevokeQuietlyAsync(provider, client, token.AccessToken);
            return ConnectOutcome.Failed($"The {provider.Network} account you signed in with manages nothing Publisher can publish to. Sign in with an account that does, then press Connect again.");
        }
        if (accounts.Count == 1 || attempt.ReconnectAccountId is not null)
            return await SaveAsync(provider, client, token, accounts, accounts.Count == 1 ? accounts[0].ExternalId : null, attempt.ReconnectAccountId, actor, cancellationToken);

        var pending = new Pending(token, client.ApiBase.AbsoluteUri, accounts.ToList());
        await db.ConnectAttempts.Where(a => a.Id == attempt.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.ProtectedPending, secrets.Protect(JsonSerializer.Serialize(pending))), cancellationToken);
        return new ConnectOutcome(null, AttemptId: attempt.Id, Choices: await ChoicesAsync(provider, client, accounts, cancellationToken));
    }

    /// <summary>The accounts to choose from, each with the channel account it is already connected as.</summary>
    private async Task<IReadOnlyList<ConnectChoice>> ChoicesAsync(ConnectProvider provider, OAuthClient client, IReadOnlyList<ConnectableAccount> accounts, CancellationToken cancellationToken)
    {
        var apiBase = client.ApiBase.AbsoluteUri.TrimEnd('/');
        var ids = accounts.Select(a => a.ExternalId).ToList();
        var connected = await db.ChannelAccounts.AsNoTracking()
            .Where(a => a.ExternalId != null && ids.Contains(a.ExternalId) && a.ConnectedWith != null && a.DisconnectedAt == null
                && (a.BaseAddress == apiBase || a.BaseAddress == apiBase + "/"))
            .Select(a => new { a.Kind, a.ExternalId, a.Name }).ToListAsync(cancellationToken);
        return accounts.Select(a => new ConnectChoice(a.ExternalId, a.Name,
            connected.FirstOrDefault(c => c.ExternalId == a.ExternalId && c.Kind == (a.Kind ?? provider.ChannelKind))?.Name)).ToList();
    }

    /// <summary>The admin chose one of the accounts the token may publish as: it is connected, the others are not.</summary>
    public Task<ConnectOutcome> ChooseAsync(Guid attemptId, string? externalId, string userId, string? browserSecret, Actor actor, CancellationToken cancellationToken) =>
        ChooseAsync(attemptId, externalId is null ? [] : [externalId], userId, browserSecret, actor, cancellationToken);

    /// <summary>
    /// The admin chose one or more of the accounts the token may publish as: each becomes (or updates) its own channel
    /// account, the others are not connected. The choice is spent once, whatever was chosen.
    /// </summary>
    public async Task<ConnectOutcome> ChooseAsync(Guid attemptId, IReadOnlyList<string> externalIds, string userId, string? browserSecret, Actor actor, CancellationToken cancellationToken)
    {
        externalIds = externalIds.Where(id => !string.IsNullOrEmpty(id)).Distinct(StringComparer.Ordinal).ToList();
        if (externalIds.Count == 0)
            return ConnectOutcome.Failed("Tick at least one of the accounts listed, then press Connect. Nothing was connected.");
        var attempt = await db.ConnectAttempts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == attemptId, cancellationToken);
        if (attempt is null || attempt.UserId != userId || browserSecret is null || attempt.BrowserHash != Pkce.Hash(browserSecret))
            return ConnectOutcome.Failed($"This choice does not belong to a Connect of yours in this browser. {StartAgain}");
        var now = clock.GetUtcNow();
        if (now > attempt.ExpiresAt + options.Value.StateLifetime)
            return ConnectOutcome.Failed($"This choice waited too long and has expired. {StartAgain}");
        var protectedPending = attempt.ProtectedPending;
        var taken = protectedPending is null ? 0 : await db.ConnectAttempts.Where(a => a.Id == attemptId && a.ProtectedPending == protectedPending)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.ProtectedPending, (string?)null), cancellationToken);
        if (taken == 0)
            return ConnectOutcome.Failed($"This choice has already been made. {StartAgain}");
        var pending = JsonSerializer.Deserialize<Pending>(secrets.Unprotect(protectedPending!))!;
        var provider = Provider(attempt.Network)!;
        if (externalIds.Any(id => pending.Accounts.All(a => a.ExternalId != id)))
            return ConnectOutcome.Failed($"Choose among the accounts listed. {StartAgain}");
        var client = await provider.ClientAsync(attempt.Instance is null ? null : new Uri(attempt.Instance), attempt.RedirectUri, cancellationToken);
        var saved = new List<ConnectOutcome>();
        foreach (var id in externalIds)
        {
            var outcome = await SaveAsync(provider, client, pending.Token, pending.Accounts, id, null, actor, cancellationToken);
            if (outcome.Error is not null)
                return saved.Count == 0 ? outcome : outcome with { Error = $"{outcome.Error} (Connected before it: {string.Join(", ", saved.Select(o => o.AccountName))}.)" };
            saved.Add(outcome);
        }
        if (saved.Count == 1)
            return saved[0];
        var names = saved.Select(o => o.AccountName!).ToList();
        return new ConnectOutcome(null, saved[0].AccountId, string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1], saved.All(o => o.Created), Count: saved.Count);
    }

    /// <summary>
    /// Bluesky's Connect: signs in with the handle and app password the admin typed, and stores the session on the
    /// account (a new one, the one already connected to that account, or <paramref name="reconnectAccountId"/>).
    /// </summary>
    public async Task<ConnectOutcome> ConnectWithAppPasswordAsync(string? identifier, string? appPassword, Guid? reconnectAccountId, Actor actor, CancellationToken cancellationToken)
    {
        var provider = Providers.OfType<BlueskyConnect>().Single();
        try
        {
            var (client, token, account, error) = await provider.SignInAsync(identifier, appPassword, cancellationToken);
            if (error is not null)
                return ConnectOutcome.Failed(error + " Nothing was connected.");
            return await SaveAsync(provider, client!, token!, [account!], account!.ExternalId, reconnectAccountId, actor, cancellationToken);
        }
        catch (Exception e) when (Unreachable(e, provider, null) is { } message)
        {
            return ConnectOutcome.Failed(message);
        }
    }

    private sealed record Pending(OAuthToken Token, string ApiBase, List<ConnectableAccount> Accounts);

    /// <summary>
    /// Stores the token on the account: the one being reconnected (it must be the same account on the network), the
    /// one already connected to the same account on the network, or a new one (switched on: the token was just proven).
    /// </summary>
    private async Task<ConnectOutcome> SaveAsync(ConnectProvider provider, OAuthClient client, OAuthToken token, IReadOnlyList<ConnectableAccount> accounts,
        string? externalId, Guid? reconnectAccountId, Actor actor, CancellationToken cancellationToken)
    {
        ChannelAccount? account;
        ConnectableAccount? chosen;
        var apiBase = client.ApiBase.AbsoluteUri.TrimEnd('/');
        if (reconnectAccountId is { } id)
        {
            account = await db.ChannelAccounts.SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
            if (account is null)
                return ConnectOutcome.Failed($"The account being reconnected was removed meanwhile. {StartAgain}");
            chosen = account.ExternalId is null ? accounts[0] : accounts.FirstOrDefault(a => a.ExternalId == account.ExternalId);
            if (chosen is null || (account.ExternalId is null && accounts.Count > 1))
            {
                await RevokeQuietlyAsync(provider, client, token.AccessToken);
                return ConnectOutcome.Failed($"You signed in to {provider.Network} as {string.Join(", ", accounts.Select(a => a.Handle ?? a.Name))}, but “{account.Name}” is {account.Handle ?? "another account"}. "
                    + "Nothing was changed: sign in to the network as that account and press Reconnect again, or add the other one with Connect.");
            }
        }
        else
        {
            chosen = accounts.Single(a => a.ExternalId == externalId);
            var chosenKind = chosen.Kind ?? provider.ChannelKind;
            account = await db.ChannelAccounts.SingleOrDefaultAsync(a => a.Kind == chosenKind && a.ExternalId == chosen.ExternalId
                && (a.BaseAddress == apiBase || a.BaseAddress == apiBase + "/"), cancellationToken);
        }

        var created = account is null;
        var previous = account is null ? new Dictionary<string, string>() : TryUnprotect(account.EncryptedCredentials);
        if (account is null)
        {
            account = new ChannelAccount
            {
                Name = await FreeNameAsync(chosen.Name, cancellationToken), Kind = chosen.Kind ?? provider.ChannelKind, CreatedAt = clock.GetUtcNow(),
                AllowThreads = (chosen.Kind ?? provider.ChannelKind) is "X" or "Mastodon" or "Bluesky" or "Threads", IsEnabled = true,
            };
            db.ChannelAccounts.Add(account);
        }
        // An account's own token (a Page's) is what it publishes with; otherwise the token the admin was given.
        var stored = new Dictionary<string, string>(chosen.Credentials);
        stored.TryAdd("access_token", token.AccessToken);
        if (token.RefreshToken is not null)
            stored["refresh_token"] = token.RefreshToken;
        account.EncryptedCredentials = credentials.Protect(stored);
        account.BaseAddress = apiBase;
        account.Handle = chosen.Handle ?? account.Handle;
        account.IsDemo = false;
        account.ConnectedWith = provider.Network;
        account.ExternalId = chosen.ExternalId;
        account.TokenExpiresAt = token.ExpiresAt;
        account.NeedsReconnect = false;
        account.ReconnectReason = null;
        if (account.DisconnectedAt is not null)
        {
            // Connected again after a Disconnect: it publishes again, and its scheduled posts lose the problem Disconnect gave them.
            account.DisconnectedAt = null;
            account.IsEnabled = true;
            var accountId = account.Id;
            await db.Variants.Where(v => v.ChannelAccountId == accountId && v.State == VariantState.Scheduled && v.LastError != null && v.LastError.StartsWith(AccountDisconnect.ScheduledProblemPrefix))
                .ExecuteUpdateAsync(s => s.SetProperty(v => v.LastError, (string?)null), cancellationToken);
        }
        var settings = ReadSettings(account.SettingsJson);
        foreach (var (key, value) in chosen.Settings)
            settings[key] = value;
        account.SettingsJson = settings.Count == 0 ? null : JsonSerializer.Serialize(settings);
        account.ConnectionCheckedAt = clock.GetUtcNow();
        account.ConnectionOk = true;
        account.ConnectionMessage = $"Connected with {provider.Network} as {chosen.Handle ?? chosen.Name}.";
        audit.Record(nameof(ChannelAccount), account.Id.ToString(), created ? "account connected" : "account reconnected", actor,
            $"{provider.Network} account {chosen.Handle ?? chosen.Name} ({chosen.ExternalId}) at {apiBase}");
        // The reconnect notifications about this account have been acted on.
        var noticeKey = ReconnectNotice.GroupKey(account.Id);
        await db.Notifications.Where(n => n.GroupKey == noticeKey && n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, clock.GetUtcNow()), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);

        // The token this one replaces is of no more use: the network forgets it (best effort, after the new one is safe).
        if (provider.RevocableToken(previous) is { } old && old != provider.RevocableToken(stored) && await provider.ClientForAsync(account, previous, cancellationToken) is { } oldClient)
            await RevokeQuietlyAsync(provider, oldClient, old);
        return new ConnectOutcome(null, account.Id, account.Name, created);
    }

    private async Task<string> FreeNameAsync(string wanted, CancellationToken cancellationToken)
    {
        wanted = wanted.Length > 190 ? wanted[..190] : wanted;
        var name = wanted;
        for (var n = 2; await db.ChannelAccounts.AnyAsync(a => a.Name == name, cancellationToken); n++)
            name = $"{wanted} ({n})";
        return name;
    }

    private Dictionary<string, string> TryUnprotect(string? encrypted)
    {
        try
        {
            return new Dictionary<string, string>(credentials.Unprotect(encrypted));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return [];
        }
    }

    private async Task RevokeQuietlyAsync(ConnectProvider provider, OAuthClient client, string token)
    {
        try
        {
            await provider.RevokeAsync(client, token, CancellationToken.None);
        }
        catch (Exception e) when (e is OAuthException or HttpRequestException or TaskCanceledException or OutboundAddressRefusedException)
        {
            log.LogInformation("Revoking a {Network} token Publisher no longer uses failed: {Reason}", provider.Network, e.Message);
        }
    }

    /// <summary>The instance the admin named, as an https origin (http only when typed so, for a server on their own network).</summary>
    private (Uri? Instance, string? Error) ParseInstance(string? instance)
    {
        instance = instance?.Trim().TrimEnd('/');
        if (string.IsNullOrEmpty(instance))
            return (null, "Name your Mastodon server, e.g. mastodon.social.");
        if (instance.StartsWith('@') && instance.Count(c => c == '@') == 2)
            instance = instance[(instance.LastIndexOf('@') + 1)..]; // @name@server.example: the server
        var text = instance.Contains("://", StringComparison.Ordinal) ? instance : "https://" + instance;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query) || uri.UserInfo.Length > 0)
            return (null, $"“{NetworkReplyText.Clean(instance, 100)}” is not a server's address: type its name, e.g. mastodon.social.");
        if (outbound.RefusesLiteral(uri.Host) is { } kind)
            return (null, OutboundAddressPolicy.RefusalMessage(uri.Host, kind) + ".");
        return (new Uri(MastodonConnect.Origin(uri)), null);
    }

    private static string? Unreachable(Exception e, ConnectProvider provider, Uri? server)
    {
        var where = server?.Host ?? provider.Network;
        if (OutboundAddressRefusedException.In(e) is { } refused)
            return $"{refused.Message}. Nothing was connected.";
        return e switch
        {
            OAuthException o => $"{where} refused Publisher ({o.Error}: {o.Description}). Check the address and press Connect again.",
            HttpRequestException or TaskCanceledException => $"Could not connect to {where}. Check the address (and that the server is up), then press Connect again.",
            JsonException => $"{where} answered with something that is not an OAuth server's answer. Check the address, then press Connect again.",
            _ => null,
        };
    }

    private static Dictionary<string, string> ReadSettings(string? json) =>
        string.IsNullOrWhiteSpace(json) ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
}
