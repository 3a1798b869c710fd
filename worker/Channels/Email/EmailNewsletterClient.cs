using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Publisher.Core.Domain;
using Publisher.Core.Email;
using Publisher.Core.Networking;
using Publisher.Core.Review;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels.Email;

/// <summary>
/// Sends the newsletter over SMTP with MailKit: one message, one SMTP transaction, every subscriber an envelope
/// recipient (as Bcc). One transaction means the server accepts the newsletter once or not at all, so a retry
/// never mails half the list twice, and subscribers never see each other's addresses. The Message-Id is derived
/// from the idempotency key, so the same newsletter sent twice is recognisably the same message.
/// </summary>
public sealed class EmailNewsletterClient(TimeProvider clock, OutboundConnector connector) : IChannelClient
{
    public ChannelKind Kind => ChannelKind.Email;

    public async Task<PublishResult> PublishAsync(PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken)
    {
        MimeMessage message;
        List<MailboxAddress> recipients;
        try
        {
            (message, recipients) = Compose(request);
        }
        catch (Exception e) when (e is ChannelConfigurationException or ParseException)
        {
            return new PublishResult(PublishOutcome.Permanent, Detail: e.Message);
        }

        using var smtp = new NewsletterSmtpClient { Timeout = Timeout.Infinite };
        try
        {
            await ConnectAsync(smtp, request.Connection, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Nothing was sent yet: a network failure is worth another try, a refusal of the account is not.
            return ConnectFailure(e);
        }

        try
        {
            await smtp.SendAsync(message, message.From.Mailboxes.First(), recipients, cancellationToken);
        }
        catch (SmtpCommandException e)
        {
            // The server answered and refused: nothing was accepted.
            return new PublishResult((int)e.StatusCode is >= 400 and < 500 ? PublishOutcome.Transient : PublishOutcome.Permanent,
                HttpStatus: null, Detail: $"The mail server refused the newsletter: {(int)e.StatusCode} {NetworkReplyText.Clean(e.Message)}");
        }
        catch (Exception e) when (e is IOException or SmtpProtocolException or SocketException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new PublishResult(PublishOutcome.Unknown, Detail: "The connection to the mail server broke while sending; the newsletter may have gone out.");
        }
        try
        {
            await smtp.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception e) when (e is IOException or SmtpProtocolException or SocketException)
        {
            // Accepted already; a failed QUIT changes nothing.
        }

        var messageId = message.MessageId!;
        await progress.PartPostedAsync(messageId, cancellationToken);
        var refused = smtp.Refused;
        return new PublishResult(PublishOutcome.Published, messageId,
            Detail: refused.Count == 0 ? $"Sent to {recipients.Count} recipients." : $"Sent to {recipients.Count - refused.Count} of {recipients.Count} recipients; the server refused {string.Join(", ", refused)}.");
    }

    public Task<ReconcileResult> ReconcileAsync(PublishRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new ReconcileResult(ReconcileVerdict.Unknown,
            Detail: "SMTP cannot tell whether an interrupted newsletter was accepted: check the mail server's log or a subscriber's inbox (Message-Id " + MessageId(request) + ")."));

    public async Task<ConnectionCheck> TestConnectionAsync(ChannelConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            using var smtp = new SmtpClient();
            await ConnectAsync(smtp, connection, cancellationToken);
            await smtp.DisconnectAsync(quit: true, cancellationToken);
            return new ConnectionCheck(true, $"Connected to {connection.Setting("smtp_host")}" + (Username(connection) is { } user ? $" and signed in as {user}." : "."));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new ConnectionCheck(false, ConnectFailure(e).Detail!);
        }
    }

    /// <summary>The newsletter as it goes out, and its envelope recipients.</summary>
    public (MimeMessage Message, List<MailboxAddress> Recipients) Compose(PublishRequest request)
    {
        var connection = request.Connection;
        var from = MailboxAddress.Parse(connection.Setting("from"));
        var recipients = connection.Setting("recipients")
            .Split([',', ';', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(MailboxAddress.Parse)
            .DistinctBy(a => a.Address, StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (recipients.Count == 0)
            throw new ChannelConfigurationException($"{AccountWording.TheCapitalized(connection.AccountName)} account lists no recipients. An admin can add them on the Channels page.");

        var unsubscribeUrl = connection.OptionalSetting("unsubscribe_url");
        var unsubscribeMailto = connection.OptionalSetting("unsubscribe_mailto");
        if (unsubscribeUrl is null && unsubscribeMailto is null)
            throw new ChannelConfigurationException($"{AccountWording.TheCapitalized(connection.AccountName)} account has no “unsubscribe_url” or “unsubscribe_mailto” setting; mailbox providers reject bulk mail without one. An admin can add it on the Channels page.");

        var message = new MimeMessage
        {
            Subject = request.Subject ?? request.Title,
            MessageId = MessageId(request, from),
            Date = clock.GetUtcNow(),
            Body = new BodyBuilder { TextBody = request.Text, HtmlBody = request.Html }.ToMessageBody(),
        };
        message.From.Add(from);
        message.To.Add(new GroupAddress("undisclosed-recipients"));

        var targets = new List<string>();
        if (unsubscribeUrl is not null) targets.Add($"<{unsubscribeUrl}>");
        if (unsubscribeMailto is not null)
            targets.Add($"<{(unsubscribeMailto.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? unsubscribeMailto : "mailto:" + unsubscribeMailto)}>");
        message.Headers.Add("List-Unsubscribe", string.Join(", ", targets));
        // RFC 8058 one-click unsubscribe works only with an https URL.
        if (unsubscribeUrl is not null) message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        return (message, recipients);
    }

    /// <summary>The Message-Id (without angle brackets): a hash of the idempotency key at the sender's domain.</summary>
    public static string MessageId(PublishRequest request, MailboxAddress? from = null)
    {
        from ??= MailboxAddress.TryParse(request.Connection.OptionalSetting("from") ?? "", out var parsed) ? parsed : null;
        var domain = from?.Domain is { Length: > 0 } d ? d : "publisher.invalid";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.IdempotencyKey)))[..32];
        return $"{hash}.newsletter@{domain}";
    }

    private async Task ConnectAsync(SmtpClient smtp, ChannelConnection connection, CancellationToken cancellationToken)
    {
        var host = connection.Setting("smtp_host");
        var port = connection.OptionalSetting("smtp_port") is { } p
            ? int.TryParse(p, out var parsedPort) ? parsedPort : throw new ChannelConfigurationException($"{AccountWording.TheCapitalized(connection.AccountName)} account's smtp_port “{p}” is not a number.")
            : 587;
        var security = connection.OptionalSetting("smtp_security") is { } s
            ? Enum.TryParse<SecureSocketOptions>(s, ignoreCase: true, out var parsed) ? parsed : throw new ChannelConfigurationException($"{AccountWording.TheCapitalized(connection.AccountName)} account's smtp_security “{s}” is not one of None, StartTls, SslOnConnect, StartTlsWhenAvailable, Auto.")
            : port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
        // Through the outbound connector: the SMTP host is typed by an admin, like any channel's address.
        await smtp.ConnectAsync(connector, host, port, security, cancellationToken);
        if (Username(connection) is { } username)
            await smtp.AuthenticateAsync(username, connection.Credentials.GetValueOrDefault("smtp_password") ?? "", cancellationToken);
    }

    private static string? Username(ChannelConnection connection) =>
        connection.Credentials.TryGetValue("smtp_username", out var user) && !string.IsNullOrWhiteSpace(user) ? user : null;

    // The server's own words are cleaned and cut short; connection errors all read alike, so the answer does not
    // tell which ports are open where.
    private static PublishResult ConnectFailure(Exception e) => e switch
    {
        ChannelConfigurationException or OutboundAddressRefusedException => new PublishResult(PublishOutcome.Permanent, Detail: e.Message),
        AuthenticationException => new PublishResult(PublishOutcome.Permanent, Detail: $"The mail server refused the sign-in: {NetworkReplyText.Clean(e.Message)} Check smtp_username and smtp_password."),
        SmtpCommandException c => new PublishResult((int)c.StatusCode is >= 400 and < 500 ? PublishOutcome.Transient : PublishOutcome.Permanent, Detail: $"The mail server refused the connection: {(int)c.StatusCode} {NetworkReplyText.Clean(c.Message)}"),
        SslHandshakeException => new PublishResult(PublishOutcome.Permanent, Detail: "The TLS handshake with the mail server failed. Check smtp_security and smtp_port."),
        NotSupportedException => new PublishResult(PublishOutcome.Permanent, Detail: $"The mail server does not support what the account asks for: {NetworkReplyText.Clean(e.Message)}"),
        _ => new PublishResult(PublishOutcome.Transient, Detail: ChannelHttp.CouldNotConnect(ChannelKind.Email)),
    };

    /// <summary>Keeps going when the server refuses some recipients (a closed mailbox must not stop the newsletter).</summary>
    private sealed class NewsletterSmtpClient : SmtpClient
    {
        public List<string> Refused { get; } = [];

        protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
            Refused.Add(mailbox.Address);
    }
}
