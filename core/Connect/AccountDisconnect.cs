using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Networking;
using Publisher.Core.Publishing;
using Publisher.Core.Review;
using Publisher.Core.Workflow;

namespace Publisher.Core.Connect;

/// <summary>What Disconnect did: an error (nothing changed), or what to tell the admin.</summary>
public sealed record DisconnectOutcome(string? Error, string? Notice = null, int ScheduledPosts = 0);

/// <summary>
/// Disconnect: the network forgets the token where it documents a way to revoke one (RFC 7009, Facebook's
/// <c>DELETE /me/permissions</c>), the stored credentials are cleared, and the account stays, switched off and marked
/// disconnected, with its posts and history. Posts scheduled on it are told now, each with the reason on it and their
/// authors notified, so nobody learns it at publish time. Connect on the account fills it again.
/// </summary>
public sealed class AccountDisconnect(
    PublisherDbContext db,
    IEnumerable<ConnectProvider> providers,
    ChannelCredentials credentials,
    Notifier notifier,
    VariantWorkflow audit,
    TimeProvider clock,
    ILogger<AccountDisconnect> log)
{
    /// <summary>How a scheduled post's problem begins, so connecting again can clear exactly these.</summary>
    public const string ScheduledProblemPrefix = "Its account was disconnected";

    public async Task<DisconnectOutcome> DisconnectAsync(Guid accountId, Actor actor, CancellationToken cancellationToken)
    {
        var account = await db.ChannelAccounts.SingleOrDefaultAsync(a => a.Id == accountId, cancellationToken);
        if (account is null)
            return new DisconnectOutcome("That account no longer exists.");
        if (account.IsDemo)
            return new DisconnectOutcome("A demo account has no connection to take away: delete the demo data under Admin instead.");
        if (account.DisconnectedAt is not null)
            return new DisconnectOutcome($"{AccountWording.TheCapitalized(account.Name)} account is disconnected already: press Connect on it to connect it again.");

        var revocation = await RevokeAsync(account, cancellationToken);
        var now = clock.GetUtcNow();
        account.EncryptedCredentials = null;
        account.ConnectedWith = null;
        account.TokenExpiresAt = null;
        account.NeedsReconnect = false;
        account.ReconnectReason = null;
        account.IsEnabled = false;
        account.DisconnectedAt = now;
        account.ConnectionOk = false;
        account.ConnectionCheckedAt = now;
        account.ConnectionMessage = $"Disconnected by {actor.Name} on {now:yyyy-MM-dd HH:mm} UTC: press Connect to publish to it again.";
        audit.Record(nameof(ChannelAccount), account.Id.ToString(), "account disconnected", actor, revocation);

        var scheduled = await db.Variants.Include(v => v.Message)
            .Where(v => v.ChannelAccountId == account.Id && v.State == VariantState.Scheduled).ToListAsync(cancellationToken);
        foreach (var variant in scheduled)
        {
            variant.LastError = $"{ScheduledProblemPrefix} on {now:yyyy-MM-dd HH:mm} UTC, so this post cannot go out at {variant.ScheduledAt:yyyy-MM-dd HH:mm} UTC: "
                                + "ask an admin to connect the account again on Channels, or move the post to another account.";
        }
        foreach (var author in scheduled.Select(v => v.Message!.AuthorId).Distinct())
        {
            var count = scheduled.Count(v => v.Message!.AuthorId == author);
            notifier.Tell(author, $"{AccountWording.TheCapitalized(account.Name)} account was disconnected: {count} of your scheduled posts on it cannot go out until an admin connects it again.",
                $"/Queue?account={account.Id}");
        }
        // Notices asking to reconnect it are answered: it was taken away on purpose.
        var noticeKey = ReconnectNotice.GroupKey(account.Id);
        await db.Notifications.Where(n => n.GroupKey == noticeKey && n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return new DisconnectOutcome(null, $"Disconnected {account.Name}: {revocation}"
            + (scheduled.Count == 0 ? "" : $" {scheduled.Count} scheduled post(s) on it now say so, and their authors were told."), scheduled.Count);
    }

    /// <summary>Revokes the account's token where the network can; says what happened, in words for the admin.</summary>
    private async Task<string> RevokeAsync(ChannelAccount account, CancellationToken cancellationToken)
    {
        var provider = providers.FirstOrDefault(p => p.Network == account.ConnectedWith);
        if (provider is null)
            return "its stored credentials are deleted (they were typed in, so revoke them at the network if they should stop working).";
        IReadOnlyDictionary<string, string> stored;
        try
        {
            stored = credentials.Unprotect(account.EncryptedCredentials);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return $"its stored token could not be read with this installation's keys, so remove Publisher in your {provider.Network} settings; the token is deleted here.";
        }
        var client = await provider.ClientForAsync(account, stored, cancellationToken);
        var token = provider.RevocableToken(stored);
        if (client?.RevokeEndpoint is null || token is null)
            return $"{provider.Network} offers no way for Publisher to revoke its token, so it is deleted here; remove Publisher in your {provider.Network} settings to end it there too.";
        if (provider.RevocationEndsEveryToken)
        {
            var others = await db.ChannelAccounts.CountAsync(a => a.Id != account.Id && a.ConnectedWith == provider.Network, cancellationToken);
            if (others > 0)
                return $"the {provider.Network} login was not revoked, because {others} other account(s) connected through {provider.Network} still use it; the token is deleted here.";
        }
        try
        {
            await provider.RevokeAsync(client, token, cancellationToken);
            return $"{provider.Network} revoked its token and its stored credentials are deleted.";
        }
        catch (Exception e) when (e is OAuthException or HttpRequestException or TaskCanceledException or OutboundAddressRefusedException && !cancellationToken.IsCancellationRequested)
        {
            log.LogWarning("Revoking the {Network} token of channel account {AccountId} failed: {Reason}", provider.Network, account.Id, e.Message);
            return $"{provider.Network} could not be asked to revoke its token ({NetworkReplyText.Clean(e.Message, 160)}), so remove Publisher in your {provider.Network} settings; the token is deleted here.";
        }
    }
}
