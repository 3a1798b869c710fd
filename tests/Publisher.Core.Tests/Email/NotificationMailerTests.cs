using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Email;
using Publisher.Core.Networking;
using Publisher.Testing;

namespace Publisher.Core.Tests.Email;

[Collection(PostgresCollection.Name)]
public class NotificationMailerTests(PostgresServer postgres)
{
    [Fact]
    public async Task Notifications_are_delivered_over_smtp_with_a_link_and_marked_as_emailed_once()
    {
        await using var smtp = new LoopbackSmtpServer();
        smtp.RefusedRecipients.Add("gone@northwind.test");
        var connectionString = await postgres.CreateMigratedDatabaseAsync("mail");
        await using var services = new ServiceCollection()
            .AddDatabaseTools(connectionString)
            .AddScoped<NotificationMailer>()
            .AddOutboundNetworkGuard()
            .Configure<OutboundNetworkOptions>(o => o.AllowPrivateNetworks = true) // the SMTP server is on loopback
            .AddSingleton(Options.Create(new EmailOptions
            {
                Enabled = true, Host = "127.0.0.1", Port = smtp.Port, Security = "None",
                From = "Publisher <publisher@northwind.test>", PublicUrl = "https://publisher.northwind.test",
            }))
            .BuildServiceProvider();

        Guid variantId = Guid.NewGuid();
        await using (var scope = services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var ava = new AppUser { UserName = "ava@northwind.test", Email = "ava@northwind.test", DisplayName = "Ava Approver" };
            var gone = new AppUser { UserName = "gone@northwind.test", Email = "gone@northwind.test", DisplayName = "Gone" };
            Assert.True((await users.CreateAsync(ava)).Succeeded);
            Assert.True((await users.CreateAsync(gone)).Succeeded);
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            db.Notifications.Add(new Notification { UserId = ava.Id, Text = "The X variant of “Autumn Blend” awaits your review.", Link = $"/Variants/{variantId}", CreatedAt = DateTimeOffset.UtcNow });
            db.Notifications.Add(new Notification { UserId = gone.Id, Text = "Something for someone who left.", CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        await using (var scope = services.CreateAsyncScope())
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<NotificationMailer>().SendPendingAsync());

        var mail = Assert.Single(smtp.Received);
        Assert.Equal("publisher@northwind.test", mail.From);
        Assert.Equal(["ava@northwind.test"], mail.To);
        var parsed = MimeKit.MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(mail.Data)));
        Assert.Equal("Publisher: The X variant of “Autumn Blend” awaits your review.", parsed.Subject);
        Assert.Contains($"https://publisher.northwind.test/Variants/{variantId}", parsed.TextBody);

        // Sent once: the next round finds nothing new for Ava, and tries the refused one again.
        await using (var scope = services.CreateAsyncScope())
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<NotificationMailer>().SendPendingAsync());
        Assert.Single(smtp.Received);
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            Assert.Equal(1, await db.Notifications.CountAsync(n => n.EmailedAt != null));
            Assert.Equal(1, await db.Notifications.CountAsync(n => n.EmailedAt == null));
        }
    }

    [Fact]
    public async Task Nothing_is_sent_while_email_is_off()
    {
        await using var smtp = new LoopbackSmtpServer();
        var connectionString = await postgres.CreateMigratedDatabaseAsync("mailoff");
        await using var services = new ServiceCollection()
            .AddDatabaseTools(connectionString)
            .AddScoped<NotificationMailer>()
            .AddOutboundNetworkGuard()
            .Configure<OutboundNetworkOptions>(o => o.AllowPrivateNetworks = true)
            .AddSingleton(Options.Create(new EmailOptions { Enabled = false, Host = "127.0.0.1", Port = smtp.Port }))
            .BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<NotificationMailer>().SendPendingAsync());
        Assert.Empty(smtp.Received);
    }

    [Fact]
    public async Task The_mail_server_obeys_the_outbound_address_rule_like_every_channel()
    {
        await using var smtp = new LoopbackSmtpServer();
        var connectionString = await postgres.CreateMigratedDatabaseAsync("mailguard");
        await using var services = new ServiceCollection()
            .AddDatabaseTools(connectionString)
            .AddScoped<NotificationMailer>()
            .AddOutboundNetworkGuard() // Publishing:AllowPrivateNetworks left at its default: off
            .AddSingleton(Options.Create(new EmailOptions { Enabled = true, Host = "127.0.0.1", Port = smtp.Port, Security = "None" }))
            .BuildServiceProvider();
        await using (var scope = services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var ava = new AppUser { UserName = "ava@northwind.test", Email = "ava@northwind.test", DisplayName = "Ava" };
            Assert.True((await users.CreateAsync(ava)).Succeeded);
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            db.Notifications.Add(new Notification { UserId = ava.Id, Text = "Something to review.", CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        await using (var scope = services.CreateAsyncScope())
        {
            var refused = await Assert.ThrowsAsync<OutboundAddressRefusedException>(() => scope.ServiceProvider.GetRequiredService<NotificationMailer>().SendPendingAsync());
            Assert.Contains("127.0.0.1 is a loopback address", refused.Message);
        }

        Assert.Equal(0, smtp.Connections);
        await using (var scope = services.CreateAsyncScope())
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().Notifications.CountAsync(n => n.EmailedAt != null));
    }
}
