using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Admin;

[Collection(WebAppCollection.Name)]
public class InviteTests(PublisherWebApp app)
{
    [Fact]
    public async Task An_admin_invites_a_person_who_sets_a_password_and_signs_in_with_the_roles_given()
    {
        var admin = await app.SignedInAsync(Roles.Admin);
        var email = $"new-{Guid.NewGuid():N}@tests.publisher.local";
        var token = await PublisherWebApp.AntiforgeryTokenAsync(admin, "/Admin/Users");
        var response = await admin.PostAsync("/Admin/Users?handler=Invite", new FormUrlEncodedContent(
        [
            new("Invite.Email", email), new("Invite.DisplayName", "Nina New"),
            new("Invite.Roles", Roles.Approver), new("Invite.Roles", Roles.Marketer),
            new("__RequestVerificationToken", token),
        ]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var link = Regex.Match(html, "id=\"invite-link\" readonly value=\"([^\"]+)\"");
        Assert.True(link.Success, "The invitation link is shown to the admin");
        var invite = new Uri(WebUtility.HtmlDecode(link.Groups[1].Value));

        var invited = app.NewClient();
        var acceptToken = await PublisherWebApp.AntiforgeryTokenAsync(invited, invite.PathAndQuery);
        var query = System.Web.HttpUtility.ParseQueryString(invite.Query);
        var accepted = await invited.PostAsync("/Account/AcceptInvite", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserId"] = query["userId"]!, ["Token"] = query["token"]!, ["password"] = "Fresh-password-7",
            ["__RequestVerificationToken"] = acceptToken,
        }));
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);

        var signedIn = await app.SignInAsync(email, "Fresh-password-7");
        var me = await signedIn.GetStringAsync("/api/me");
        Assert.Contains(Roles.Approver, me);
        Assert.Contains(Roles.Marketer, me);
        Assert.DoesNotContain(Roles.Admin, me);

        // The link works once.
        var again = await invited.GetStringAsync(invite.PathAndQuery);
        Assert.Contains("not valid any more", again);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var userId = query["userId"]!;
        Assert.True(await db.AuditEvents.AnyAsync(a => a.EntityId == userId && a.Action == "invited"));
    }

    [Fact]
    public async Task An_invite_without_a_role_is_refused_and_creates_nobody()
    {
        var admin = await app.SignedInAsync(Roles.Admin);
        var email = $"norole-{Guid.NewGuid():N}@tests.publisher.local";
        var token = await PublisherWebApp.AntiforgeryTokenAsync(admin, "/Admin/Users");
        var response = await admin.PostAsync("/Admin/Users?handler=Invite", new FormUrlEncodedContent(
            [new("Invite.Email", email), new("__RequestVerificationToken", token)]));
        Assert.Contains("Choose at least one role", await response.Content.ReadAsStringAsync());

        await using var scope = app.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().Users.AnyAsync(u => u.Email == email));
    }
}
