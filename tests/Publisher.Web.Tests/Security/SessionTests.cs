using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Web.Pages.Calendar;
using Publisher.Web.Tests.Messages;

namespace Publisher.Web.Tests.Security;

/// <summary>
/// What ends a session, and when: taking roles, a lockout, a password change and signing out all take effect at
/// the very next request of every open session, and someone with no role left sees only the no-access page.
/// </summary>
[Collection(WebAppCollection.Name)]
public class SessionTests(PublisherWebApp app)
{
    /// <summary>A person of their own for each test, so ending their sessions disturbs no other test.</summary>
    private async Task<(string Id, string Email)> PersonAsync(params string[] roles)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var email = $"person-{Guid.NewGuid():N}@tests.publisher.local";
        var user = new AppUser { UserName = email, Email = email, DisplayName = "Pat Person", EmailConfirmed = true };
        Assert.True((await users.CreateAsync(user, PublisherWebApp.Password)).Succeeded);
        if (roles.Length > 0)
            Assert.True((await users.AddToRolesAsync(user, roles)).Succeeded);
        return (user.Id, email);
    }

    private async Task WithUserAsync(string id, Func<UserManager<AppUser>, AppUser, Task> change)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        await change(users, (await users.FindByIdAsync(id))!);
    }

    private static async Task<HttpResponseMessage> PostMessageAsync(HttpClient client, string token, string title, Guid account)
    {
        var pairs = Editor.Fields(title, "Notes of fig.", account).Where(f => f.Key != "__accounts").ToList();
        pairs.Add(KeyValuePair.Create("Input.AccountIds", account.ToString()));
        pairs.Add(KeyValuePair.Create("__RequestVerificationToken", token));
        return await client.PostAsync("/Messages/New", new FormUrlEncodedContent(pairs));
    }

    [Fact]
    public async Task An_open_session_whose_roles_are_all_removed_cannot_create_a_message_at_the_next_request()
    {
        await Editor.SeedDefaultsAsync(app);
        var account = (await Editor.AccountsAsync(app, "Mastodon"))[0];
        var (id, email) = await PersonAsync(Roles.Marketer);
        var marketer = await app.SignInAsync(email, PublisherWebApp.Password);
        var token = await PublisherWebApp.AntiforgeryTokenAsync(marketer, "/Messages/New"); // the editor is open

        // An admin takes every role away on the users page.
        var admin = await app.SignedInAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.Redirect, (await PublisherWebApp.PostFormAsync(admin, "/Admin/Users", "Roles", ("userId", id))).StatusCode);

        var title = $"After the roles went {Guid.NewGuid():N}";
        var response = await PostMessageAsync(marketer, token, title, account);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/SignIn", response.Headers.Location!.PathAndQuery);
        Assert.False(await Editor.WithDbAsync(app, db => db.Messages.AnyAsync(m => m.Title == title)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await marketer.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task Someone_with_no_role_sees_only_the_no_access_page_and_their_calendar_feed_stops()
    {
        await Editor.SeedDefaultsAsync(app);
        var (id, email) = await PersonAsync(Roles.Approver);
        var secret = CalendarFeed.NewSecret();
        await Editor.WithDbAsync(app, db => db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(s => s.SetProperty(u => u.CalendarFeedTokenHash, CalendarFeed.Hash(secret))));
        var anonymous = app.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/calendar/feed/{secret}.ics")).StatusCode);
        var account = (await Editor.AccountsAsync(app, "X"))[0];
        var variantId = await Editor.WithDbAsync(app, async db =>
        {
            var message = new Message { Title = "Seen by members only", AuthorId = id, TimeZone = "Europe/Paris", PlannedAt = DateTimeOffset.UtcNow.AddDays(1) };
            var variant = new Variant { MessageId = message.Id, ChannelAccountId = account, RenderedText = "Members only." };
            db.Messages.Add(message);
            db.Variants.Add(variant);
            await db.SaveChangesAsync();
            return variant.Id;
        });

        await WithUserAsync(id, async (users, user) => await users.RemoveFromRolesAsync(user, [Roles.Approver]));
        var person = await app.SignInAsync(email, PublisherWebApp.Password);

        foreach (var page in new[] { "/", "/Calendar", $"/Variants/{variantId}", "/Inbox", "/Account/Profile", "/StyleGuide", "/Campaigns" })
        {
            var response = await person.GetAsync(page);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{page} answered {(int)response.StatusCode}");
            var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
            Assert.Contains("You have no access yet", html);
            Assert.DoesNotContain("Seen by members only", html);
            Assert.DoesNotContain("href=\"/Calendar\"", html); // no way further in
        }

        var api = await person.GetAsync("/api/variants");
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await api.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("No access yet", problem.GetProperty("title").GetString());

        var me = JsonDocument.Parse(await person.GetStringAsync("/api/me")).RootElement;
        Assert.Equal(email, me.GetProperty("email").GetString());
        Assert.Equal(0, me.GetProperty("roles").GetArrayLength());

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/calendar/feed/{secret}.ics")).StatusCode);

        // Signing out still works for them, from the no-access page.
        var noAccess = await (await person.GetAsync("/Calendar")).Content.ReadAsStringAsync();
        var token = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(noAccess, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value);
        var signedOut = await person.PostAsync("/Account/SignOut", new FormUrlEncodedContent([KeyValuePair.Create("__RequestVerificationToken", token)]));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal("/Account/SignIn", signedOut.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_session_of_an_admin_whose_admin_role_is_taken_loses_the_job_dashboard_at_once()
    {
        var (id, email) = await PersonAsync(Roles.Admin, Roles.Marketer);
        var former = await app.SignInAsync(email, PublisherWebApp.Password);
        Assert.Equal(HttpStatusCode.OK, (await former.GetAsync("/jobs")).StatusCode);

        var admin = await app.SignedInAsync(Roles.Admin);
        await PublisherWebApp.PostFormAsync(admin, "/Admin/Users", "Roles", ("userId", id), ("roles", Roles.Marketer));

        var response = await former.GetAsync("/jobs");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/SignIn", response.Headers.Location!.PathAndQuery);

        // Signing in again gives the session the roles the person has now.
        var again = await app.SignInAsync(email, PublisherWebApp.Password);
        Assert.Equal(HttpStatusCode.Forbidden, (await again.GetAsync("/jobs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/Messages/New")).StatusCode);
    }

    [Fact]
    public async Task Signing_out_makes_the_old_cookie_useless()
    {
        var (_, email) = await PersonAsync(Roles.Marketer);
        var jar = new CookieContainer();
        var browser = app.CreateDefaultClient(new CookieJar(jar));
        Assert.Equal(HttpStatusCode.Redirect, (await PublisherWebApp.PostSignInAsync(browser, email, PublisherWebApp.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/me")).StatusCode);
        var copied = jar.GetCookies(browser.BaseAddress!)["publisher.auth"]!.Value;

        var token = await PublisherWebApp.AntiforgeryTokenAsync(browser, "/Calendar");
        var signedOut = await browser.PostAsync("/Account/SignOut", new FormUrlEncodedContent([KeyValuePair.Create("__RequestVerificationToken", token)]));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);

        var thief = app.CreateDefaultClient();
        thief.DefaultRequestHeaders.Add("Cookie", $"publisher.auth={copied}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await thief.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task A_lockout_ends_open_sessions_at_the_next_request_even_one_written_straight_to_the_database()
    {
        var (id, email) = await PersonAsync(Roles.Marketer);
        var first = await app.SignInAsync(email, PublisherWebApp.Password);
        await WithUserAsync(id, async (users, user) => await users.SetLockoutEndDateAsync(user, DateTimeOffset.UtcNow.AddHours(1)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await first.GetAsync("/api/me")).StatusCode);

        await WithUserAsync(id, async (users, user) => await users.SetLockoutEndDateAsync(user, null));
        var second = await app.SignInAsync(email, PublisherWebApp.Password);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/api/me")).StatusCode);
        await Editor.WithDbAsync(app, db => db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(s => s.SetProperty(u => u.LockoutEnd, DateTimeOffset.UtcNow.AddHours(1))));
        Assert.Equal(HttpStatusCode.Unauthorized, (await second.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task A_password_change_ends_open_sessions_at_the_next_request()
    {
        var (id, email) = await PersonAsync(Roles.Approver);
        var session = await app.SignInAsync(email, PublisherWebApp.Password);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/Approvals")).StatusCode);

        await WithUserAsync(id, async (users, user) => Assert.True((await users.ChangePasswordAsync(user, PublisherWebApp.Password, "Another-password-2")).Succeeded));

        var response = await session.GetAsync("/Approvals");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/SignIn", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Too_many_failed_sign_ins_lock_the_account_and_end_its_open_sessions()
    {
        var (_, email) = await PersonAsync(Roles.Marketer);
        var session = await app.SignInAsync(email, PublisherWebApp.Password);

        for (var i = 0; i < 5; i++)
            await PublisherWebApp.PostSignInAsync(app.NewClient(), email, "wrong-password-" + i);

        Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync("/api/me")).StatusCode);
    }

    /// <summary>A browser's cookie store, kept where the test can read it.</summary>
    private sealed class CookieJar(CookieContainer cookies) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var header = cookies.GetCookieHeader(request.RequestUri!);
            if (header.Length > 0)
                request.Headers.Add("Cookie", header);
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
                foreach (var cookie in set)
                    cookies.SetCookies(request.RequestUri!, cookie);
            return response;
        }
    }
}
