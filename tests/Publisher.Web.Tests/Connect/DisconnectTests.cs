using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Testing.Fakes;
using Publisher.Web.Tests.Calendar;

namespace Publisher.Web.Tests.Connect;

/// <summary>
/// Disconnect on Channels: Admin only, confirmed, with antiforgery; the token is revoked at the network (the fake
/// instance checks the client and forgets the token), the credentials are deleted, the account is marked disconnected
/// and switched off, and a post scheduled on it says so at once, not at publish time. Connect fills it again.
/// </summary>
[Collection(WebAppCollection.Name)]
public class DisconnectTests(PublisherWebApp app)
{
    [Fact]
    public async Task Disconnect_revokes_the_token_clears_the_credentials_and_tells_scheduled_posts_before_their_time()
    {
        await using var mastodon = new FakeMastodonApi();
        var admin = await app.SignedInAsync(Roles.Admin);
        await ConnectDriver.ConnectMastodonAsync(admin, mastodon);
        var account = (await ConnectDriver.AccountAtAsync(app, mastodon.BaseUri))!;
        var token = app.Services.GetRequiredService<ChannelCredentials>().Unprotect(account.EncryptedCredentials)["access_token"];
        var (_, authorId) = await CalendarData.UserAsync(app, Roles.Marketer, null);
        var variant = (await CalendarData.MessageAsync(app, authorId, DateTimeOffset.UtcNow.AddHours(3), VariantState.Scheduled, CalendarData.Unique("Disconnect"), account))[0];
        var page = $"/Channels/Disconnect/{account.Id}";

        // Only an admin reaches it.
        var marketer = await app.SignedInAsync(Roles.Marketer);
        Assert.NotEqual(HttpStatusCode.OK, (await marketer.GetAsync(page)).StatusCode);
        // The confirmation says what will happen; nothing has happened yet.
        var confirm = WebUtility.HtmlDecode(await admin.GetStringAsync(page));
        Assert.Contains("1 scheduled post(s) on it will not go out", confirm);
        Assert.Contains("Publisher asks Mastodon to revoke its token", confirm);
        Assert.True(mastodon.Authorization.IsValidAccessToken(token));
        // A post without the antiforgery token is refused.
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync(page, new FormUrlEncodedContent([]))).StatusCode);
        Assert.True(mastodon.Authorization.IsValidAccessToken(token));

        var antiforgery = await PublisherWebApp.AntiforgeryTokenAsync(admin, page);
        var done = await admin.PostAsync(page, new FormUrlEncodedContent([new("__RequestVerificationToken", antiforgery)]));
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);

        var revoke = Assert.Single(mastodon.Requests, r => r.Path == "/oauth/revoke");
        Assert.Contains("client_secret=", revoke.Body);
        Assert.False(mastodon.Authorization.IsValidAccessToken(token));
        var after = (await ConnectDriver.AccountAtAsync(app, mastodon.BaseUri))!;
        Assert.Null(after.EncryptedCredentials);
        Assert.Null(after.ConnectedWith);
        Assert.False(after.IsEnabled);
        Assert.NotNull(after.DisconnectedAt);
        var channels = WebUtility.HtmlDecode(await admin.GetStringAsync("/Channels"));
        Assert.Contains($"Disconnected {after.Name}: Mastodon revoked its token and its stored credentials are deleted. 1 scheduled post(s) on it now say so", channels);
        Assert.Contains("Disconnected " + after.DisconnectedAt!.Value.ToString("yyyy-MM-dd HH:mm"), channels);

        // The scheduled post says so now, with what to do; the schedule refuses it; its author is told.
        var stale = await ConnectDriver.WithDbAsync(app, db => db.Variants.AsNoTracking().Include(v => v.ChannelAccount).SingleAsync(v => v.Id == variant.Id));
        Assert.StartsWith("Its account was disconnected", stale.LastError);
        Assert.Contains("ask an admin to connect the account again on Channels, or move the post to another account", stale.LastError);
        Assert.Contains("was disconnected: an admin can connect it again under Channels", PublishScheduler.PublishBlocker(stale));
        Assert.Contains(await ConnectDriver.WithDbAsync(app, db => db.Notifications.Where(n => n.UserId == authorId).Select(n => n.Text).ToListAsync()),
            t => t.Contains("was disconnected: 1 of your scheduled posts on it cannot go out"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync(page)).StatusCode); // nothing left to disconnect

        // Connect on the same account fills it again: switched on, the posts' problem gone.
        Assert.Equal(HttpStatusCode.Redirect, (await ConnectDriver.ConnectMastodonAsync(admin, mastodon, account.Id)).StatusCode);
        var again = (await ConnectDriver.AccountAtAsync(app, mastodon.BaseUri))!;
        Assert.Equal(account.Id, again.Id);
        Assert.True(again.IsEnabled);
        Assert.Null(again.DisconnectedAt);
        Assert.NotNull(again.EncryptedCredentials);
        Assert.Null((await CalendarData.ReloadAsync(app, variant.Id)).LastError);

        await ConnectDriver.WithDbAsync(app, db => db.Variants.Where(v => v.Id == variant.Id).ExecuteUpdateAsync(s => s.SetProperty(v => v.State, VariantState.Canceled)));
        await ConnectDriver.WithDbAsync(app, db => db.ChannelAccounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.IsEnabled, false).SetProperty(a => a.ConnectedWith, (string?)null)));
    }
}
