using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Security;

[Collection(WebAppCollection.Name)]
public class SignInTests(PublisherWebApp app)
{
    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one()
    {
        var email = $"lockme-{Guid.NewGuid():N}@tests.publisher.local";
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            Assert.True((await users.CreateAsync(new AppUser { UserName = email, Email = email }, PublisherWebApp.Password)).Succeeded);
        }

        var client = app.NewClient();
        for (var i = 0; i < 5; i++)
        {
            var wrong = await PublisherWebApp.PostSignInAsync(client, email, "wrong-password-9");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        var right = await PublisherWebApp.PostSignInAsync(client, email, PublisherWebApp.Password);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode); // the form again, not a redirect into the app
        Assert.Contains("locked for 15 minutes", await right.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/Calendar")).StatusCode);
    }

    [Fact]
    public async Task A_form_post_without_its_antiforgery_token_is_refused()
    {
        var client = app.NewClient();
        var response = await client.PostAsync("/Account/SignIn", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = PublisherWebApp.EmailFor(Roles.Admin),
            ["Input.Password"] = PublisherWebApp.Password,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_says_what_to_check()
    {
        var response = await PublisherWebApp.PostSignInAsync(app.NewClient(), PublisherWebApp.EmailFor(Roles.Marketer), "nope-nope-1");
        Assert.Contains("do not match an account", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Every_page_carries_the_security_headers()
    {
        var response = await app.NewClient().GetAsync("/Account/SignIn");
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task A_return_url_off_the_site_is_ignored()
    {
        var client = app.NewClient();
        var token = await PublisherWebApp.AntiforgeryTokenAsync(client, "/Account/SignIn");
        var response = await client.PostAsync("/Account/SignIn?ReturnUrl=https%3A%2F%2Fevil.example%2F", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = PublisherWebApp.EmailFor(Roles.Marketer),
            ["Input.Password"] = PublisherWebApp.Password,
            ["__RequestVerificationToken"] = token,
        }));
        // The landing page (which picks the calendar or, for an approver with work, Approvals), never the other site.
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task An_unknown_address_costs_the_same_password_hashing_as_a_wrong_password_and_reads_the_same()
    {
        var known = $"known-{Guid.NewGuid():N}@tests.publisher.local";
        var invited = $"invited-{Guid.NewGuid():N}@tests.publisher.local";
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            Assert.True((await users.CreateAsync(new AppUser { UserName = known, Email = known }, PublisherWebApp.Password)).Succeeded);
            Assert.True((await users.CreateAsync(new AppUser { UserName = invited, Email = invited, InvitedAt = DateTimeOffset.UtcNow })).Succeeded);
        }

        async Task<(int Hashings, string Error)> SignInAsync(string email)
        {
            var client = app.NewClient();
            var token = await PublisherWebApp.AntiforgeryTokenAsync(client, "/Account/SignIn"); // outside the count
            var before = app.PasswordHashing.Verifications;
            var response = await client.PostAsync("/Account/SignIn", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Email"] = email, ["Input.Password"] = "not-the-password-1", ["__RequestVerificationToken"] = token,
            }));
            var hashings = app.PasswordHashing.Verifications - before;
            var html = System.Net.WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
            return (hashings, System.Text.RegularExpressions.Regex.Match(html, "role=\"alert\"[^>]*>([^<]*)<").Groups[1].Value.Trim());
        }

        var wrongPassword = await SignInAsync(known);
        var unknownAddress = await SignInAsync($"nobody-{Guid.NewGuid():N}@tests.publisher.local");
        var noPasswordYet = await SignInAsync(invited);

        Assert.Equal(1, wrongPassword.Hashings);
        Assert.Equal(1, unknownAddress.Hashings);
        Assert.Equal(1, noPasswordYet.Hashings);
        Assert.False(string.IsNullOrEmpty(wrongPassword.Error));
        Assert.Equal(wrongPassword.Error, unknownAddress.Error);
        Assert.Equal(wrongPassword.Error, noPasswordYet.Error);
    }
}
