using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Domain;
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

    [Fact]
    public async Task By_default_an_account_aimed_at_an_internal_address_is_refused_and_its_token_never_sent()
    {
        await using var h = await PublishingHarness.StartAsync(postgres, new Dictionary<string, string?> { [PrivateNetworks.ConfigurationKey] = "false" });
        // LinkedIn: the harness's scripted client stands in for Mastodon, and this must be the real client.
        await using var linkedIn = new FakeLinkedInApi();
        await h.PointAccountAtAsync("LinkedIn", linkedIn.BaseUri, linkedIn.Credentials, new Dictionary<string, string> { ["author_urn"] = linkedIn.AuthorUrn });

        await h.WithScopeAsync(sp => sp.GetRequiredService<IChannelConnectionTestJob>().TestAsync(h.AccountId, CancellationToken.None));
        var variantId = await h.ScheduledVariantAsync(DateTimeOffset.UtcNow);
        await h.RunJobAsync(variantId);

        var account = (await h.QueryAsync(db => db.ChannelAccounts.AsNoTracking().Where(a => a.Id == h.AccountId))).Single();
        Assert.False(account.ConnectionOk);
        Assert.Contains("127.0.0.1 is a loopback address", account.ConnectionMessage);
        var variant = await h.LoadAsync(variantId);
        Assert.Equal(VariantState.Failed, variant.State); // not retried: only an admin can fix the address
        Assert.Contains("Publishing__AllowPrivateNetworks=true", variant.LastError);
        Assert.Empty(linkedIn.Requests);
    }

    [Fact]
    public async Task What_a_server_answers_to_a_test_is_stored_short_and_clean()
    {
        await using var h = await PublishingHarness.StartAsync(postgres);
        await using var webhook = new FakeWebhookReceiver();
        await h.PointAccountAtAsync("Webhook", webhook.Url, webhook.Credentials);
        webhook.FailNext(1, 418, """{"message":"<img src=x onerror=alert(1)>I'm a teapot\u0000\u001b[2J """ + new string('t', 3000) + "\"}");

        await h.WithScopeAsync(sp => sp.GetRequiredService<IChannelConnectionTestJob>().TestAsync(h.AccountId, CancellationToken.None));

        var account = (await h.QueryAsync(db => db.ChannelAccounts.AsNoTracking().Where(a => a.Id == h.AccountId))).Single();
        Assert.False(account.ConnectionOk);
        Assert.StartsWith("The webhook answered 418: I'm a teapot", account.ConnectionMessage);
        Assert.DoesNotContain("<", account.ConnectionMessage);
        Assert.DoesNotContain("onerror", account.ConnectionMessage);
        Assert.DoesNotContain(account.ConnectionMessage!, char.IsControl);
        Assert.True(account.ConnectionMessage!.Length < 300, account.ConnectionMessage);
    }
}
