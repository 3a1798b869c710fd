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
}
