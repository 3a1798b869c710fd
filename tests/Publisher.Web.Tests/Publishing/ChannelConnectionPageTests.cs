using System.Net;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;

namespace Publisher.Web.Tests.Publishing;

/// <summary>Channel connection settings: secrets are encrypted and never shown back; bad input saves nothing.</summary>
[Collection(WebAppCollection.Name)]
public class ChannelConnectionPageTests(PublisherWebApp app)
{
    private async Task<ChannelAccount> AccountAsync(string name)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().ChannelAccounts.AsNoTracking().SingleAsync(a => a.Name == name);
    }

    [Fact]
    public async Task An_admin_adds_an_account_stores_its_secrets_encrypted_and_never_sees_them_again()
    {
        var admin = await app.SignedInAsync(Roles.Admin);
        var name = $"Northwind on X {Guid.NewGuid():N}";
        await PublisherWebApp.PostFormAsync(admin, "/Channels/Connection", "Create", ("name", name), ("kind", "X"));
        var account = await AccountAsync(name);
        Assert.False(account.IsEnabled); // off until its connection is set up
        var path = $"/Channels/Connection/{account.Id}";

        // Switching it on without the secrets it needs is refused, and nothing is saved.
        await PublisherWebApp.PostFormAsync(admin, path, "Save", ("enabled", "true"), ("handle", "@northwind"));
        Assert.False((await AccountAsync(name)).IsEnabled);
        Assert.Contains("is needed before the account can be switched on", WebUtility.HtmlDecode(await admin.GetStringAsync(path)));

        await PublisherWebApp.PostFormAsync(admin, path, "Save", ("enabled", "true"), ("handle", "@northwind"),
            ("field_consumer_key", "ck-visible-never"), ("field_consumer_secret", "cs-visible-never"),
            ("field_access_token", "at-visible-never"), ("field_access_token_secret", "ats-visible-never"));
        account = await AccountAsync(name);
        Assert.True(account.IsEnabled);
        Assert.DoesNotContain("visible-never", account.EncryptedCredentials);
        var credentials = app.Services.GetRequiredService<ChannelCredentials>();
        Assert.Equal("ats-visible-never", credentials.Unprotect(account.EncryptedCredentials)["access_token_secret"]);
        var page = await admin.GetStringAsync(path);
        Assert.DoesNotContain("visible-never", page);
        Assert.Contains("stored — type to replace", WebUtility.HtmlDecode(page));

        // Saving again with the secret fields empty keeps what was stored; one typed in replaces only itself.
        await PublisherWebApp.PostFormAsync(admin, path, "Save", ("enabled", "true"), ("field_access_token", "at-2"));
        var stored = credentials.Unprotect((await AccountAsync(name)).EncryptedCredentials);
        Assert.Equal("at-2", stored["access_token"]);
        Assert.Equal("ck-visible-never", stored["consumer_key"]);
    }

    [Fact]
    public async Task Test_connection_is_handed_to_the_worker()
    {
        var admin = await app.SignedInAsync(Roles.Admin);
        var name = $"Hook {Guid.NewGuid():N}";
        await PublisherWebApp.PostFormAsync(admin, "/Channels/Connection", "Create", ("name", name), ("kind", "Webhook"));
        var account = await AccountAsync(name);
        var path = $"/Channels/Connection/{account.Id}";
        await PublisherWebApp.PostFormAsync(admin, path, "Save", ("baseAddress", "ftp://example.com/hook"));
        Assert.Null((await AccountAsync(name)).BaseAddress);
        Assert.Contains("must be a full address", await admin.GetStringAsync(path));

        await PublisherWebApp.PostFormAsync(admin, path, "Test");

        var monitoring = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var queued = monitoring.EnqueuedJobs("default", 0, 500);
        Assert.Contains(queued, j => j.Value.Job.Type.Name == "IChannelConnectionTestJob" && (Guid)j.Value.Job.Args[0] == account.Id);
        Assert.Contains("the worker is checking", await admin.GetStringAsync(path));
    }

    [Fact]
    public async Task Only_admins_reach_connection_settings()
    {
        var marketer = await app.SignedInAsync(Roles.Marketer);
        var response = await marketer.GetAsync("/Channels/Connection");
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Pointing_an_account_somewhere_else_clears_its_stored_secrets_and_the_page_says_so_before_and_after()
    {
        var admin = await app.SignedInAsync(Roles.Admin);
        var name = $"Northwind on Mastodon {Guid.NewGuid():N}";
        await PublisherWebApp.PostFormAsync(admin, "/Channels/Connection", "Create", ("name", name), ("kind", "Mastodon"));
        var account = await AccountAsync(name);
        var path = $"/Channels/Connection/{account.Id}";
        var credentials = app.Services.GetRequiredService<ChannelCredentials>();
        await PublisherWebApp.PostFormAsync(admin, path, "Save", ("enabled", "true"), ("baseAddress", "https://social.northwind.example"), ("field_access_token", "token-for-northwind"));
        Assert.Equal("token-for-northwind", credentials.Unprotect((await AccountAsync(name)).EncryptedCredentials)["access_token"]);

        // Before: the form says what changing the address does.
        Assert.Contains("Changing the address clears the stored secrets", WebUtility.HtmlDecode(await admin.GetStringAsync(path)));

        // A new address on a switched-on account without the token typed again: refused, nothing saved.
        await PublisherWebApp.PostFormAsync(admin, path, "Save", ("enabled", "true"), ("baseAddress", "https://attacker.example"));
        account = await AccountAsync(name);
        Assert.Equal("https://social.northwind.example", account.BaseAddress);
        Assert.Equal("token-for-northwind", credentials.Unprotect(account.EncryptedCredentials)["access_token"]);
        Assert.Contains("now connects somewhere else, so its stored access token (write:statuses) is cleared: enter it again, or switch the account off",
            WebUtility.HtmlDecode(await admin.GetStringAsync(path)));

        // Switched off, the new address is saved and the token is gone; after: the page says so.
        var saved = await PublisherWebApp.PostFormAsync(admin, path, "Save", ("baseAddress", "https://attacker.example"));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        account = await AccountAsync(name);
        Assert.Equal("https://attacker.example", account.BaseAddress);
        Assert.Empty(credentials.Unprotect(account.EncryptedCredentials));
        var after = WebUtility.HtmlDecode(await admin.GetStringAsync(path));
        Assert.Contains("It now connects somewhere else, so its stored access token (write:statuses) was cleared: enter it again.", after);
        Assert.Contains("not set", after);

        // A token typed together with the new address is kept; saving again at the same address keeps it.
        await PublisherWebApp.PostFormAsync(admin, path, "Save", ("enabled", "true"), ("baseAddress", "https://social2.northwind.example/"), ("field_access_token", "second-token"));
        await PublisherWebApp.PostFormAsync(admin, path, "Save", ("enabled", "true"), ("baseAddress", "https://SOCIAL2.northwind.example"), ("handle", "@northwind"));
        account = await AccountAsync(name);
        Assert.True(account.IsEnabled);
        Assert.Equal("second-token", credentials.Unprotect(account.EncryptedCredentials)["access_token"]);
    }

    [Fact]
    public async Task A_new_smtp_server_or_port_clears_the_stored_smtp_credentials()
    {
        var admin = await app.SignedInAsync(Roles.Admin);
        var name = $"Newsletter {Guid.NewGuid():N}";
        await PublisherWebApp.PostFormAsync(admin, "/Channels/Connection", "Create", ("name", name), ("kind", "Email"));
        var account = await AccountAsync(name);
        var path = $"/Channels/Connection/{account.Id}";
        (string, string)[] settings = [("field_from", "news@northwind.example"), ("field_recipients", "ada@example.com"), ("field_smtp_port", "587")];
        await PublisherWebApp.PostFormAsync(admin, path, "Save",
            [("field_smtp_host", "smtp.northwind.example"), ("field_smtp_username", "news"), ("field_smtp_password", "mail-secret"), .. settings]);
        var credentials = app.Services.GetRequiredService<ChannelCredentials>();
        Assert.Equal(["smtp_password", "smtp_username"], credentials.Names((await AccountAsync(name)).EncryptedCredentials));
        Assert.Contains("Changing the server or port clears the stored SMTP user name and password", WebUtility.HtmlDecode(await admin.GetStringAsync(path)));

        await PublisherWebApp.PostFormAsync(admin, path, "Save", [("field_smtp_host", "smtp.NORTHWIND.example"), .. settings]);
        Assert.Equal(2, credentials.Names((await AccountAsync(name)).EncryptedCredentials).Count); // the same server, spelled otherwise

        await PublisherWebApp.PostFormAsync(admin, path, "Save", [("field_smtp_host", "mail.elsewhere.example"), .. settings]);
        Assert.Empty(credentials.Names((await AccountAsync(name)).EncryptedCredentials));
        Assert.Contains("so its stored smtp user name and smtp password were cleared", WebUtility.HtmlDecode(await admin.GetStringAsync(path)));
    }
}

/// <summary>The channel page on an installation with Publishing:AllowPrivateNetworks off, as shipped.</summary>
[Collection(WebAppCollection.Name)]
public class ChannelAddressRuleTests(PublicOnlyWebApp app) : IClassFixture<PublicOnlyWebApp>
{
    [Theory]
    [InlineData("http://127.0.0.1:8080/", "127.0.0.1 is a loopback address")]
    [InlineData("http://0x7f000001:8080/", "127.0.0.1 is a loopback address")]
    [InlineData("http://2130706433/", "127.0.0.1 is a loopback address")]
    [InlineData("http://[::ffff:127.0.0.1]/", "is a loopback address")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address")]
    [InlineData("https://10.0.0.5/", "10.0.0.5 is a private network address")]
    public async Task An_internal_address_typed_as_an_ip_is_refused_when_saved(string address, string reason)
    {
        var admin = await app.SignedInAsync(Roles.Admin);
        var name = $"Hook {Guid.NewGuid():N}";
        await PublisherWebApp.PostFormAsync(admin, "/Channels/Connection", "Create", ("name", name), ("kind", "Webhook"));
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var account = await db.ChannelAccounts.AsNoTracking().SingleAsync(a => a.Name == name);
        var path = $"/Channels/Connection/{account.Id}";

        await PublisherWebApp.PostFormAsync(admin, path, "Save", ("baseAddress", address));

        Assert.Null((await db.ChannelAccounts.AsNoTracking().SingleAsync(a => a.Id == account.Id)).BaseAddress);
        var page = WebUtility.HtmlDecode(await admin.GetStringAsync(path));
        Assert.Contains(reason, page);
        Assert.Contains("Publishing__AllowPrivateNetworks=true", page);
    }
}
