using System.Net;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Security;

[Collection(WebAppCollection.Name)]
public class RoleAccessTests(PublisherWebApp app)
{
    // Admin-only places: user management, channel accounts and credentials, the job dashboard.
    private static readonly string[] AdminOnly = ["/Admin/Users", "/Channels", "/jobs", "/api/admin/users"];

    public static TheoryData<string, string> NonAdminRolesAndAdminPlaces()
    {
        var data = new TheoryData<string, string>();
        foreach (var role in new[] { Roles.Marketer, Roles.Approver, Roles.BrandManager })
        foreach (var place in AdminOnly)
            data.Add(role, place);
        return data;
    }

    [Theory]
    [MemberData(nameof(NonAdminRolesAndAdminPlaces))]
    public async Task A_role_without_admin_gets_403_at_admin_places(string role, string path)
    {
        var client = await app.SignedInAsync(role);
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("/Admin/Users")]
    [InlineData("/Channels")]
    [InlineData("/jobs")]
    [InlineData("/api/admin/users")]
    public async Task An_admin_may_enter_admin_places(string path)
    {
        var client = await app.SignedInAsync(Roles.Admin);
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_job_dashboard_really_is_hangfire_for_an_admin()
    {
        var client = await app.SignedInAsync(Roles.Admin);
        var html = await client.GetStringAsync("/jobs");
        Assert.Contains("Publisher jobs", html);
    }

    [Theory]
    [InlineData("/Calendar")]
    [InlineData("/Admin/Users")]
    [InlineData("/Channels")]
    [InlineData("/jobs")]
    [InlineData("/jobs/servers")]
    public async Task Anonymous_visitors_are_sent_to_sign_in(string path)
    {
        var response = await app.NewClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/SignIn", response.Headers.Location!.PathAndQuery);
    }

    [Theory]
    [InlineData("/api/me")]
    [InlineData("/api/variants")]
    [InlineData("/api/admin/users")]
    public async Task The_api_answers_401_not_a_redirect_to_anonymous_callers(string path)
    {
        var response = await app.NewClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData(Roles.Marketer)]
    [InlineData(Roles.Approver)]
    [InlineData(Roles.BrandManager)]
    [InlineData(Roles.Admin)]
    public async Task Every_role_sees_the_calendar_and_its_own_identity(string role)
    {
        var client = await app.SignedInAsync(role);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Calendar")).StatusCode);
        var me = await client.GetStringAsync("/api/me");
        Assert.Contains(PublisherWebApp.EmailFor(role), me);
        Assert.Contains(role, me);
    }

    [Fact]
    public async Task The_403_page_explains_what_to_do()
    {
        var client = await app.SignedInAsync(Roles.Marketer);
        var response = await client.GetAsync("/Admin/Users");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("ask an administrator", html);
    }
}
