using System.Net;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Domain;
using Publisher.Testing;
using Publisher.Testing.Fakes;
using Publisher.Web.Tests.Messages;

namespace Publisher.Web.Tests.Publishing;

/// <summary>
/// From a message written in the web app to a request received by a fake Mastodon: the admin connects the
/// account, a marketer writes and submits, an approver approves, the marketer publishes now, and a real
/// worker process posts it.
/// </summary>
[Collection(WebAppCollection.Name)]
public class EndToEndTests(PublisherWebApp app)
{
    [Fact]
    public async Task A_message_written_in_the_web_app_reaches_the_network_exactly_as_approved()
    {
        // The collection's app: a second one in this process would share (and then dispose) Hangfire's global storage.
        await Editor.SeedDefaultsAsync(app);
        await using var mastodon = new FakeMastodonApi();

        var admin = await app.SignedInAsync(Roles.Admin);
        var name = $"Northwind on Mastodon {Guid.NewGuid():N}";
        await PublisherWebApp.PostFormAsync(admin, "/Channels/Connection", "Create", ("name", name), ("kind", "Mastodon"));
        var accountId = await Editor.WithDbAsync(app, db => db.ChannelAccounts.Where(a => a.Name == name).Select(a => a.Id).SingleAsync());
        await PublisherWebApp.PostFormAsync(admin, $"/Channels/Connection/{accountId}", "Save", ("enabled", "true"), ("handle", "@northwind"),
            ("baseAddress", mastodon.BaseUri.ToString()), ("field_access_token", mastodon.AccessToken));

        var marketer = await app.SignedInAsync(Roles.Marketer);
        var messageId = Editor.SavedMessageId(await Editor.PostAsync(marketer, "/Messages/New", Editor.Fields("Spring blend", "Notes of fig.", accountId)));
        var variantId = await Editor.WithDbAsync(app, db => db.Variants.Where(v => v.MessageId == messageId).Select(v => v.Id).SingleAsync());
        await PublisherWebApp.PostFormAsync(marketer, $"/Variants/{variantId}", "Submit");
        var approver = await app.SignedInAsync(Roles.Approver);
        await PublisherWebApp.PostFormAsync(approver, $"/Variants/{variantId}", "Approve");
        Assert.Equal(VariantState.Scheduled, (await Editor.WithDbAsync(app, db => db.Variants.SingleAsync(v => v.Id == variantId))).State);

        await using var worker = WorkerProcess.Start(new Dictionary<string, string>
        {
            ["PUBLISHER_DB"] = app.ConnectionString,
            ["Publishing__SweepInterval"] = "00:00:01",
            [PrivateNetworks.EnvironmentVariable] = "true", // the fake Mastodon listens on 127.0.0.1
        });
        var publishNow = await PublisherWebApp.PostFormAsync(marketer, $"/Variants/{variantId}", "PublishNow");
        Assert.Equal(HttpStatusCode.Redirect, publishNow.StatusCode);
        Assert.Contains("Publishing now", WebUtility.HtmlDecode(await marketer.GetStringAsync($"/Variants/{variantId}")));

        // A deadline, not a wait: on a busy machine a fresh worker process takes a while to start and warm up.
        var deadline = DateTime.UtcNow.AddMinutes(5);
        Variant variant;
        while ((variant = await Editor.WithDbAsync(app, db => db.Variants.AsNoTracking().SingleAsync(v => v.Id == variantId))).State != VariantState.Published)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The variant is {variant.State} ({variant.LastError}).\n{worker.Output}");
            await Task.Delay(200);
        }

        var status = Assert.Single(mastodon.Statuses);
        Assert.Equal(variant.EffectiveText, status.Text); // exactly what the approver approved
        // The link goes out as its tracked short link, which leads to the destination tagged with UTM parameters.
        var link = Assert.Single(Publisher.Core.Analytics.VariantLink.ListOf(variant.LinksJson));
        Assert.Contains(link.ShortUrl, status.Text);
        Assert.Contains("utm_source=mastodon", link.Destination);
        var request = mastodon.Requests.Single(r => r.Method == "POST");
        Assert.Equal($"Bearer {mastodon.AccessToken}", request.Header("Authorization"));
        Assert.Equal(status.Id, variant.ExternalId);
        var page = WebUtility.HtmlDecode(await marketer.GetStringAsync($"/Variants/{variantId}"));
        Assert.Contains("see the post", page);
        var inbox = await Editor.WithDbAsync(app, db => db.Notifications.Where(n => n.Link == $"/Variants/{variantId}").Select(n => n.Text).ToListAsync());
        Assert.Contains(inbox, t => t.StartsWith("Published"));
    }
}
