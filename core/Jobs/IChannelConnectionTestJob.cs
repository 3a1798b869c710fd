namespace Publisher.Core.Jobs;

/// <summary>
/// "Test connection" for a channel account: the web app enqueues it, the worker makes a harmless
/// authenticated call with the stored credentials and writes the outcome on the account.
/// </summary>
public interface IChannelConnectionTestJob
{
    Task TestAsync(Guid channelAccountId, CancellationToken cancellationToken);
}
