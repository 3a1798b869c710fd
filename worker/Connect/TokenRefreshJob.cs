using Hangfire;
using Publisher.Core.Connect;

namespace Publisher.Worker.Connect;

/// <summary>
/// Every five minutes: connected accounts' tokens that end within <c>Connect:RefreshAhead</c> are refreshed, and those
/// the network refuses are marked for a reconnect and told to Admins (<see cref="TokenRefresher"/>), before a post fails.
/// </summary>
public sealed class TokenRefreshJob(TokenRefresher refresher)
{
    [DisableConcurrentExecution(timeoutInSeconds: 120)]
    [AutomaticRetry(Attempts = 0)] // the next run is the retry
    public async Task RunAsync(CancellationToken cancellationToken) => await refresher.RunAsync(cancellationToken);

    public static void Schedule(IRecurringJobManager jobs) =>
        jobs.AddOrUpdate<TokenRefreshJob>("connect-token-refresh", j => j.RunAsync(CancellationToken.None), "*/5 * * * *");
}
