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
