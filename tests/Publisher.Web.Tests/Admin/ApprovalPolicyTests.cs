using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Admin;

[Collection(WebAppCollection.Name)]
public class ApprovalPolicyTests(PublisherWebApp app)
{
    private async Task<Guid> AccountAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var account = new ChannelAccount { Name = $"Newsletter {Guid.NewGuid():N}", Kind = "Email" };
        db.ChannelAccounts.Add(account);
        await db.SaveChangesAsync();
        return account.Id;
    }

    private static async Task<HttpResponseMessage> SetAsync(HttpClient client, Guid id, params string[] steps)
    {
        var token = await PublisherWebApp.AntiforgeryTokenAsync(client, "/Channels");
        var form = steps.Select(s => new KeyValuePair<string, string>("steps", s))
            .Append(new("id", id.ToString())).Append(new("__RequestVerificationToken", token));
        return await client.PostAsync("/Channels?handler=Policy", new FormUrlEncodedContent(form));
    }

    private async Task<List<string>> StepsAsync(Guid id)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().ChannelAccounts.SingleAsync(a => a.Id == id)).ApprovalSteps;
    }

    [Fact]
    public async Task An_admin_sets_a_two_step_policy_in_order_and_it_is_audited()
    {
        var id = await AccountAsync();
        var admin = await app.SignedInAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.Redirect, (await SetAsync(admin, id, Roles.Approver, Roles.BrandManager, "")).StatusCode);
        Assert.Equal([Roles.Approver, Roles.BrandManager], await StepsAsync(id));

        await using var scope = app.Services.CreateAsyncScope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().AuditEvents
            .AnyAsync(e => e.EntityId == id.ToString() && e.Action == "approval policy changed"));
    }

    [Fact]
    public async Task A_policy_without_steps_or_with_a_marketer_step_is_refused_and_changes_nothing()
    {
        var id = await AccountAsync();
        var admin = await app.SignedInAsync(Roles.Admin);
        await SetAsync(admin, id, "", "", "");
        Assert.Contains("needs at least one approval step", await admin.GetStringAsync("/Channels"));
        await SetAsync(admin, id, Roles.Marketer);
        Assert.Contains("each one of", await admin.GetStringAsync("/Channels"));
        Assert.Equal([Roles.Approver], await StepsAsync(id));
    }
}

[Collection(WebAppCollection.Name)]
public class LinkTaggingTests(PublisherWebApp app)
{
    [Fact]
    public async Task An_accounts_utm_settings_decide_how_its_links_are_tagged_and_off_means_as_written()
    {
        Guid id;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            var account = new ChannelAccount { Name = $"LinkedIn {Guid.NewGuid():N}", Kind = "LinkedIn" };
            db.ChannelAccounts.Add(account);
            await db.SaveChangesAsync();
            id = account.Id;
        }
        var admin = await app.SignedInAsync(Roles.Admin);

        async Task SetAsync(params (string, string)[] fields)
        {
            var token = await PublisherWebApp.AntiforgeryTokenAsync(admin, "/Channels");
            var form = fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))
                .Append(new("id", id.ToString())).Append(new("__RequestVerificationToken", token));
            Assert.Equal(HttpStatusCode.Redirect, (await admin.PostAsync("/Channels?handler=Utm", new FormUrlEncodedContent(form))).StatusCode);
        }

        async Task<string> LinkAsync()
        {
            var page = await admin.GetStringAsync("/Calendar");
            var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"request-verification-token\" content=\"([^\"]+)\"").Groups[1].Value;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/render")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { message = new { title = "Spring", body = "New beans.", link = "https://northwind.example/spring?ref=a" }, accountIds = new[] { id } }),
            };
            request.Headers.Add("RequestVerificationToken", WebUtility.HtmlDecode(token));
            var response = await admin.SendAsync(request);
            using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var variant = json.RootElement.GetProperty("variants")[0];
            var link = variant.GetProperty("link").GetString()!;
            // With tracked links on (the default) the link goes out as its short link: the tags are on where it leads.
            foreach (var tracked in variant.GetProperty("links").EnumerateArray())
                if (tracked.GetProperty("shortUrl").GetString() == link)
                    return tracked.GetProperty("destination").GetString()!;
            return link;
        }

        await SetAsync(("enabled", "true"), ("source", "li-company-page"), ("medium", "organic"), ("content", "spring-post"));
        var tagged = await LinkAsync();
        Assert.Contains("ref=a", tagged);
        Assert.Contains("utm_source=li-company-page", tagged);
        Assert.Contains("utm_medium=organic", tagged);
        Assert.Contains("utm_content=spring-post", tagged);

        await SetAsync(("source", ""));
        Assert.Equal("https://northwind.example/spring?ref=a", await LinkAsync());

        await SetAsync(("enabled", "true"), ("source", "has space"));
        Assert.Contains("UTM values are single words", await admin.GetStringAsync("/Channels"));
    }
}
