using MailKit.Net.Smtp;
using MailKit.Security;
using Publisher.Core.Networking;

namespace Publisher.Core.Email;

/// <summary>
/// Connects MailKit to an SMTP server over a socket opened by <see cref="OutboundConnector"/>, so a mail server's
/// address obeys the same rule as every other outbound connection: checked on the address actually connected to.
/// MailKit then does the greeting, STARTTLS or TLS (with <paramref name="host"/> for the certificate) as usual.
/// </summary>
public static class GuardedSmtp
{
    /// <exception cref="OutboundAddressRefusedException">The server's address is not one Publisher may connect to.</exception>
    public static async Task ConnectAsync(this SmtpClient smtp, OutboundConnector connector, string host, int port, SecureSocketOptions security, CancellationToken cancellationToken)
    {
        var socket = await connector.ConnectAsync(host, port, cancellationToken);
        try
        {
            await smtp.ConnectAsync(socket, host, port, security, cancellationToken);
        }
        catch
        {
            // MailKit owns the socket once connected; until then it is ours to close.
            socket.Dispose();
            throw;
        }
    }
}
