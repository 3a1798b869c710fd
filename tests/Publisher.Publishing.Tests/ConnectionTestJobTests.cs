using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Jobs;
using Publisher.Testing;
using Publisher.Testing.Fakes;

namespace Publisher.Publishing.Tests;

/// <summary>"Test connection" as the worker runs it: a real client against the network's fake, the answer written on the account.</summary>
[Collection(PostgresCollection.Name)]
public class ConnectionTestJobTests(PostgresServer postgres)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_outcome_of_a_connection_test_is_written_on_the_account(bool goodToken)
    {
        await using var h = await PublishingHarness.StartAsync(postgres);
        await using var x = new FakeXApi();
        var credentials = new Dictionary<string, string>(x.Credentials);
        if (!goodToken)
            credentials["access_token_secret"] = "wrong-secret";
        await h.PointAccountAtAsync("X", x.BaseUri, credentials);

        await h.WithScopeAsync(sp => sp.GetRequiredService<IChannelConnectionTestJob>().TestAsync(h.AccountId, CancellationToken.None));

        var account = (await h.QueryAsync(db => db.ChannelAccounts.AsNoTracking().Where(a => a.Id == h.AccountId))).Single();
        Assert.NotNull(account.ConnectionCheckedAt);
        Assert.Equal(goodToken, account.ConnectionOk);
        Assert.False(string.IsNullOrWhiteSpace(account.ConnectionMessage));
        Assert.DoesNotContain("wrong-secret", account.ConnectionMessage);
        Assert.Contains(x.Requests, r => r.Path == "/2/users/me");
    }

    [Fact]
    public async Task An_account_without_its_credentials_fails_the_test_with_what_is_missing()
    {
        await using var h = await PublishingHarness.StartAsync(postgres);
        await using var bluesky = new FakeBlueskyPds();
        await h.PointAccountAtAsync("Bluesky", bluesky.BaseUri, new Dictionary<string, string>());

        await h.WithScopeAsync(sp => sp.GetRequiredService<IChannelConnectionTestJob>().TestAsync(h.AccountId, CancellationToken.None));

        var account = (await h.QueryAsync(db => db.ChannelAccounts.AsNoTracking().Where(a => a.Id == h.AccountId))).Single();
        Assert.False(account.ConnectionOk);
        Assert.Contains("identifier", account.ConnectionMessage);
        Assert.Empty(bluesky.Requests);
    }
}
