using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Publisher.Core.Data;
using Publisher.Core.Jobs;
using Publisher.Core.Networking;
using Publisher.Core.Publishing;
using Publisher.Worker.Channels;

namespace Publisher.Worker.Publishing;

public sealed class ChannelConnectionTestJob(
    PublisherDbContext db, ChannelClientResolver clients, ChannelCredentials credentials, IOptions<PublishingOptions> options, TimeProvider clock)
    : IChannelConnectionTestJob
{
    public async Task TestAsync(Guid channelAccountId, CancellationToken cancellationToken)
    {
        var account = await db.ChannelAccounts.SingleOrDefaultAsync(a => a.Id == channelAccountId, cancellationToken);
        if (account is null)
            return;
        ConnectionCheck check;
        try
        {
            var connection = AccountConnection.For(account, credentials);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.RequestTimeout);
            check = await clients.For(account).TestConnectionAsync(connection, timeout.Token);
        }
        catch (Exception e) when (e is ChannelConfigurationException or HttpRequestException or System.Text.Json.JsonException
                                      or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            check = e is OperationCanceledException
                ? new ConnectionCheck(false, $"No answer within {options.Value.RequestTimeout.TotalSeconds:0} s.")
                : ChannelHttp.FailedCheck(e, Enum.TryParse<Templates.Channels.ChannelKind>(account.Kind, out var kind) ? kind : Templates.Channels.ChannelKind.Webhook);
        }
        account.ConnectionCheckedAt = clock.GetUtcNow();
        account.ConnectionOk = check.Ok;
        // Whatever a client put in the message (an account name the network sent, its error text) is shown to
        // people: cleaned and short, never a server's answer verbatim.
        account.ConnectionMessage = NetworkReplyText.Clean(check.Message, 600);
        await db.SaveChangesAsync(cancellationToken);
    }
}
