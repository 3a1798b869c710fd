using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Publisher.Core.Data;
using Publisher.Core.Networking;

namespace Publisher.Core.Email;

/// <summary>
/// Sends the notifications not yet emailed, one SMTP session per round. A notification is marked as
/// emailed only after the server accepted it; when the server is down, the next round tries again.
/// </summary>
public sealed class NotificationMailer(
    PublisherDbContext db, IOptions<EmailOptions> options, OutboundConnector connector, TimeProvider clock, ILogger<NotificationMailer> logger)
{
    /// <summary>Older notifications are not worth an email any more.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(2);

    public async Task<int> SendPendingAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        if (!settings.Enabled)
            return 0;
        var since = clock.GetUtcNow() - MaxAge;
        var pending = await (
            from n in db.Notifications
            join u in db.Users on n.UserId equals u.Id
            where n.EmailedAt == null && n.CreatedAt >= since && u.Email != null
            orderby n.CreatedAt
            select new { Notification = n, u.Email, Name = u.DisplayName })
            .Take(200)
            .ToListAsync(cancellationToken);
        if (pending.Count == 0)
            return 0;

        using var smtp = new SmtpClient();
        // Public addresses only, unless Publishing__AllowPrivateNetworks=true: the same rule as every channel's.
        await smtp.ConnectAsync(connector, settings.Host, settings.Port, Enum.Parse<SecureSocketOptions>(settings.Security, ignoreCase: true), cancellationToken);
        if (!string.IsNullOrEmpty(settings.Username))
            await smtp.AuthenticateAsync(settings.Username, settings.Password ?? "", cancellationToken);

        var sent = 0;
        foreach (var item in pending)
        {
            var link = item.Notification.Link is { } path ? new Uri(new Uri(settings.PublicUrl.TrimEnd('/') + "/"), path.TrimStart('/')).ToString() : null;
            var message = new MimeMessage
            {
                Subject = Subject(item.Notification.Text),
                Body = new BodyBuilder
                {
                    TextBody = item.Notification.Text + (link is null ? "" : $"\n\nOpen it in Publisher: {link}") +
                               "\n\nYou get this because you use Publisher; your inbox in the app has the same notifications.",
                }.ToMessageBody(),
            };
            message.From.Add(MailboxAddress.Parse(settings.From));
            message.To.Add(new MailboxAddress(item.Name, item.Email));
            try
            {
                await smtp.SendAsync(message, cancellationToken);
                item.Notification.EmailedAt = clock.GetUtcNow();
                sent++;
            }
            catch (SmtpCommandException e)
            {
                // This recipient was refused; the others may still go.
                logger.LogWarning("The mail server refused the notification for {Email}: {Error}", item.Email, e.Message);
            }
        }
        await smtp.DisconnectAsync(quit: true, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return sent;
    }

    private static string Subject(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return "Publisher: " + (line.Length <= 90 ? line : line[..87] + "…");
    }
}
