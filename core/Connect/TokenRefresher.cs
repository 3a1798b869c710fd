using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Networking;
using Publisher.Core.Publishing;
using Publisher.Core.Review;
using Publisher.Core.Workflow;

namespace Publisher.Core.Connect;

/// <summary>How the reconnect notices are told and grouped: one unread notice per account and admin.</summary>
public static class ReconnectNotice
{
    public static string GroupKey(Guid accountId) => $"reconnect:{accountId}";
}

/// <summary>
/// Keeps connected accounts' tokens working (the worker runs it every few minutes): a token that ends within
/// <see cref="ConnectOptions.RefreshAhead"/> is refreshed with its refresh token; a token without an end whose account
/// has a post due soon is checked with the network. When the network refuses for good (<c>invalid_grant</c>: revoked,
/// expired, the person changed their password) the account is marked as needing a reconnect and every Admin is told,
/// so it is fixed before a post fails on it. A network that cannot be reached is simply tried again on the next run.
/// </summary>
public sealed class TokenRefresher(
    PublisherDbContext db,
    IEnumerable<ConnectProvider> providers,
    ChannelCredentials credentials,
    Notifier notifier,
    VariantWorkflow audit,
    IOptions<ConnectOptions> options,
    TimeProvider clock,
    ILogger<TokenRefresher> log)
{
    /// <summary>Refreshes or checks every account that needs it; how many were refreshed and how many now need a reconnect.</summary>
    public async Task<(int Refreshed, int NeedReconnect)> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var horizon = now + options.Value.RefreshAhead;
        var expiring = await db.ChannelAccounts.AsNoTracking()
            .Where(a => a.ConnectedWith != null && !a.NeedsReconnect && !a.IsDemo && a.TokenExpiresAt != null && a.TokenExpiresAt <= horizon)
            .Select(a => a.Id).ToListAsync(cancellationToken);
        // A token that never expires can still be revoked: checked only for accounts with a post due soon, so a
        // revoked one shows up before that post goes out, without calling every network every few minutes.
        var dueSoon = await db.ChannelAccounts.AsNoTracking()
            .Where(a => a.ConnectedWith != null && !a.NeedsReconnect && !a.IsDemo && a.IsEnabled && a.TokenExpiresAt == null
                && db.Variants.Any(v => v.ChannelAccountId == a.Id && v.State == VariantState.Scheduled && v.ScheduledAt <= horizon))
            .Select(a => a.Id).ToListAsync(cancellationToken);
        int refreshed = 0, reconnect = 0;
        foreach (var id in expiring.Concat(dueSoon))
        {
            switch (await RefreshAsync(id, force: false, cancellationToken))
            {
                case RefreshOutcome.Refreshed: refreshed++; break;
                case RefreshOutcome.NeedsReconnect: reconnect++; break;
            }
        }
        return (refreshed, reconnect);
    }

    public enum RefreshOutcome { NothingToDo, Refreshed, StillValid, NeedsReconnect, TryLater }

    /// <summary>
    /// Refreshes (or checks) one account's token under a row lock, so two workers never spend the same refresh token
    /// (a network that rotates them would take the second use for a stolen token and revoke the grant).
    /// </summary>
    public async Task<RefreshOutcome> RefreshAsync(Guid accountId, bool force, CancellationToken cancellationToken)
    {
        // Read under the lock as it is now, not as this unit of work may remember it.
        foreach (var tracked in db.ChangeTracker.Entries<ChannelAccount>().Where(e => e.Entity.Id == accountId).ToList())
            tracked.State = EntityState.Detached;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var account = await db.ChannelAccounts
            .FromSql($"SELECT * FROM \"ChannelAccounts\" WHERE \"Id\" = {accountId} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (account is null || account.ConnectedWith is null || account.NeedsReconnect)
            return RefreshOutcome.NothingToDo;
        var now = clock.GetUtcNow();
        var horizon = now + options.Value.RefreshAhead;
        if (!force && account.TokenExpiresAt is { } expires && expires > horizon)
            return RefreshOutcome.NothingToDo; // another worker refreshed it meanwhile
        var provider = providers.FirstOrDefault(p => p.Network == account.ConnectedWith);
        if (provider is null)
            return RefreshOutcome.NothingToDo;
        if (account.TokenExpiresAt is { } ends && provider.EarliestRefresh(ends) is { } earliest && now < earliest && ends > now)
        {
            // Too young for the network to renew (Threads: under a day old); it still works, so it is left alone.
            log.LogInformation("The {Network} token of channel account {AccountId} can be renewed from {Earliest}; it works until {ExpiresAt}", provider.Network, account.Id, earliest, ends);
            return RefreshOutcome.NothingToDo;
        }

        IReadOnlyDictionary<string, string> stored;
        try
        {
            stored = credentials.Unprotect(account.EncryptedCredentials);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return await MarkAsync(account, "its stored token cannot be decrypted with this installation's keys", transaction, cancellationToken);
        }
        var client = await provider.ClientForAsync(account, stored, cancellationToken);
        if (client is null)
            return await MarkAsync(account, $"Publisher's {provider.Network} client is no longer configured", transaction, cancellationToken);

        try
        {
            if (account.TokenExpiresAt is null && !force)
            {
                // A token without an end: ask the network whether it still works.
                await provider.CheckAsync(client, stored, cancellationToken);
                return RefreshOutcome.StillValid;
            }
            if (provider.RefreshCredential(stored) is not { Length: > 0 } refreshToken)
            {
                return account.TokenExpiresAt is { } end && end <= now
                    ? await MarkAsync(account, $"its {provider.Network} token expired and {provider.Network} gave no way to renew it", transaction, cancellationToken)
                    : RefreshOutcome.NothingToDo;
            }
            var token = await provider.RefreshAsync(client, refreshToken, cancellationToken);
            var renewed = new Dictionary<string, string>(stored) { ["access_token"] = token.AccessToken };
            if (token.RefreshToken is not null)
                renewed["refresh_token"] = token.RefreshToken;
            account.EncryptedCredentials = credentials.Protect(renewed);
            account.TokenExpiresAt = token.ExpiresAt;
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            log.LogInformation("Refreshed the {Network} token of channel account {AccountId}; it now ends at {ExpiresAt}", provider.Network, account.Id, token.ExpiresAt);
            return RefreshOutcome.Refreshed;
        }
        catch (OAuthException e) when (e.GrantRefused || e.Error == "invalid_client" || e.Status == 401)
        {
            return await MarkAsync(account, $"{provider.Network} refused its token ({e.Error}: {e.Description})", transaction, cancellationToken);
        }
        catch (Exception e) when (e is OAuthException or HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or OutboundAddressRefusedException
                                  && !cancellationToken.IsCancellationRequested)
        {
            log.LogWarning("Could not refresh the {Network} token of channel account {AccountId}; trying again on the next run: {Reason}", provider.Network, account.Id, e.Message);
            return RefreshOutcome.TryLater;
        }
    }

    private async Task<RefreshOutcome> MarkAsync(ChannelAccount account, string reason, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, CancellationToken cancellationToken)
    {
        account.NeedsReconnect = true;
        account.ReconnectReason = NetworkReplyText.Clean(reason, 480);
        audit.Record(nameof(ChannelAccount), account.Id.ToString(), "needs reconnecting", Actor.System, account.ReconnectReason);
        var text = $"{AccountWording.TheCapitalized(account.Name)} account must be reconnected: {account.ReconnectReason}. Its posts cannot go out until an admin presses Reconnect on Channels.";
        await notifier.TellRoleOnceAsync(Roles.Admin, text, "/Channels", ReconnectNotice.GroupKey(account.Id), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        log.LogWarning("Channel account {AccountId} needs reconnecting: {Reason}", account.Id, account.ReconnectReason);
        return RefreshOutcome.NeedsReconnect;
    }
}
