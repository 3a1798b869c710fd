using System.Globalization;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.Email;

namespace Publisher.Worker.Tests.Channels;

/// <summary>
/// Every channel client as the worker builds it, with Publishing:AllowPrivateNetworks at its production default
/// (off): an account aimed at loopback gets nothing sent, and what a network answers comes back short and clean.
/// </summary>
public sealed class OutboundGuardTests
{
    public static TheoryData<ChannelKind> Kinds => new(HttpChannel.Kinds);

    [Theory, MemberData(nameof(Kinds))]
    public async Task An_account_aimed_at_loopback_publishes_nothing_and_says_why_permanently(ChannelKind kind)
    {
        await using var channel = HttpChannel.Start(kind, allowPrivateNetworks: false);

        var result = await channel.Client.PublishAsync(channel.Request(), new RecordingProgress(), CancellationToken.None);
        var check = await channel.Client.TestConnectionAsync(channel.Connection, CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome); // retrying cannot help: an admin must change the address
        Assert.Contains("127.0.0.1 is a loopback address", result.Detail);
        Assert.Contains("Publishing__AllowPrivateNetworks=true", result.Detail);
        Assert.False(check.Ok);
        Assert.Contains("127.0.0.1 is a loopback address", check.Message);
        Assert.Empty(channel.Fake.Requests); // not even the session or token call
    }

    [Fact]
    public async Task The_newsletters_smtp_server_on_loopback_is_refused_before_connecting()
    {
        await using var smtp = new LoopbackSmtpServer();
        var client = ChannelKit.Client<EmailNewsletterClient>(allowPrivateNetworks: false);
        var connection = ChannelKit.Connection(ChannelKind.Email, new Uri("smtp://ignored"), new Dictionary<string, string> { ["smtp_password"] = "s3cret", ["smtp_username"] = "news" },
            new Dictionary<string, string>
            {
                ["smtp_host"] = "0x7f000001", ["smtp_port"] = smtp.Port.ToString(CultureInfo.InvariantCulture), ["smtp_security"] = "None",
                ["from"] = "news@acme.example", ["recipients"] = "ada@example.com", ["unsubscribe_mailto"] = "unsubscribe@acme.example",
            });

        var check = await client.TestConnectionAsync(connection, CancellationToken.None);
        var result = await client.PublishAsync(ChannelKit.Request(connection, subject: "News"), new RecordingProgress(), CancellationToken.None);

        Assert.False(check.Ok);
        Assert.Contains("0x7f000001 is a loopback address", check.Message);
        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Equal(0, smtp.Connections);
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task A_failed_test_shows_the_status_and_a_short_clean_reason_never_the_answer_itself(ChannelKind kind)
    {
        await using var channel = HttpChannel.Start(kind);
        var page = "<html><head><title>Internal admin</title></head><body><form action=\"/delete\"><input name=x></form>"
                   + "<p>secret-configuration-value\u0007\u001b[31m</p>" + new string('z', 20_000) + "</body></html>";
        channel.Fake.FailNext(1, 400, page);

        var check = await channel.Client.TestConnectionAsync(channel.Connection, CancellationToken.None);

        Assert.False(check.Ok);
        Assert.Contains("answered 400", check.Message);
        Assert.DoesNotContain("<", check.Message);
        Assert.DoesNotContain("secret-configuration-value", check.Message);
        Assert.DoesNotContain("zzzz", check.Message);
        Assert.DoesNotContain(check.Message, char.IsControl);
        Assert.True(check.Message.Length < 300, check.Message);
    }

    [Fact]
    public async Task The_networks_own_error_words_are_kept_cleaned_and_cut()
    {
        await using var channel = HttpChannel.Start(ChannelKind.Mastodon);
        channel.Fake.FailNext(1, 401, """{"error":"<b>The access token is invalid</b>\u0007 \u202Eyour token """ + new string('z', 5_000) + "\"}");

        var check = await channel.Client.TestConnectionAsync(channel.Connection, CancellationToken.None);

        Assert.StartsWith("Mastodon answered 401: The access token is invalid your token zzz", check.Message);
        Assert.EndsWith("…", check.Message);
        Assert.DoesNotContain("<", check.Message);
        Assert.DoesNotContain('\u202E', check.Message);
        Assert.True(check.Message.Length < 300, check.Message);
    }

    [Fact]
    public async Task A_closed_port_and_a_port_that_hangs_up_read_the_same_so_they_reveal_nothing()
    {
        await using var hangsUp = new CountingHttpServer { Answer = "" };
        var client = ChannelKit.Client<Worker.Channels.Webhook.WebhookClient>();
        var secret = new Dictionary<string, string> { ["secret"] = "s" };

        var closed = await client.TestConnectionAsync(ChannelKit.Connection(ChannelKind.Webhook, ChannelKit.ClosedPort(), secret), CancellationToken.None);
        var open = await client.TestConnectionAsync(ChannelKit.Connection(ChannelKind.Webhook, new Uri($"http://127.0.0.1:{hangsUp.Port}/"), secret), CancellationToken.None);

        Assert.False(closed.Ok);
        Assert.Equal(ChannelHttp.CouldNotConnect(ChannelKind.Webhook), closed.Message);
        Assert.Equal(closed.Message, open.Message);
        Assert.Equal(1, hangsUp.Connections);
        Assert.DoesNotContain("refused", closed.Message, StringComparison.OrdinalIgnoreCase);
    }
}
