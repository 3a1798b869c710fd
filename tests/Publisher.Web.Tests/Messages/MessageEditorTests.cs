using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;
using Publisher.Web.Pages.Messages;

namespace Publisher.Web.Tests.Messages;

[Collection(WebAppCollection.Name)]
public class MessageEditorTests(PublisherWebApp app)
{
    private async Task<(HttpClient Client, Guid[] Accounts)> ReadyAsync(params string[] kinds)
    {
        await Editor.SeedDefaultsAsync(app);
        return (await app.SignedInAsync(Roles.Marketer), await Editor.AccountsAsync(app, kinds.Length == 0 ? ["X", "Mastodon"] : kinds));
    }

    private Task<int> CountTitledAsync(string title) => Editor.WithDbAsync(app, db => db.Messages.CountAsync(m => m.Title == title));

    [Fact]
    public async Task Saving_a_message_creates_one_draft_per_chosen_account_at_the_planned_time_in_utc()
    {
        var (client, accounts) = await ReadyAsync();
        var fields = Editor.Fields("Autumn Blend " + Guid.NewGuid(), "Notes of fig, cocoa and toasted hazelnut.", accounts);
        fields["Input.KeyFacts"] = "Autumn Blend\n€14";
        var id = Editor.SavedMessageId(await Editor.PostAsync(client, "/Messages/New", fields));

        var message = await Editor.LoadAsync(app, id);
        Assert.Equal("Europe/Paris", message.TimeZone);
        // 10:00 in Paris on 10 March 2031 (winter time, UTC+1) is 09:00 UTC.
        Assert.Equal(new DateTimeOffset(2031, 3, 10, 9, 0, 0, TimeSpan.Zero), message.PlannedAt);
        Assert.Equal(["Autumn Blend", "€14"], message.KeyFacts);
        Assert.Equal(accounts.Order(), message.Variants.Select(v => v.ChannelAccountId).Order());
        Assert.All(message.Variants, v =>
        {
            Assert.Equal(VariantState.Draft, v.State);
            Assert.Equal(message.PlannedAt, v.ScheduledAt);
            Assert.Contains("fig", v.RenderedText);
            Assert.False(string.IsNullOrEmpty(v.ContentHash));
            Assert.NotNull(v.StyleScore);
        });

        var page = await client.GetStringAsync($"/Messages/Edit/{id}");
        Assert.Contains("Notes of fig, cocoa and toasted hazelnut.", page);
    }

    [Fact]
    public async Task A_failure_while_saving_leaves_neither_the_message_nor_any_variant()
    {
        var (_, accounts) = await ReadyAsync();
        var title = "Half-way " + Guid.NewGuid();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var writer = scope.ServiceProvider.GetRequiredService<MessageWriter>();
        var marketer = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(PublisherWebApp.EmailFor(Roles.Marketer));
        // Something in the same unit of work that the database refuses (a variant of an account that does not exist).
        db.Variants.Add(new Variant { MessageId = Guid.NewGuid(), ChannelAccountId = Guid.NewGuid() });
        var form = new MessageForm { Title = title, Body = "Notes of fig.", TimeZone = "Europe/Paris", PlannedLocal = new DateTime(2031, 3, 10, 10, 0, 0), AccountIds = [.. accounts] };

        await Assert.ThrowsAsync<DbUpdateException>(() => writer.SaveAsync(null, form, new Actor(marketer!.Id, "Marketer")));

        Assert.Equal(0, await CountTitledAsync(title));
        Assert.Equal(0, await Editor.WithDbAsync(app, d => d.Variants.CountAsync(v => accounts.Contains(v.ChannelAccountId))));
    }

    [Theory]
    [InlineData("title", "Give the message a title")]
    [InlineData("accounts", "Choose at least one channel account")]
    [InlineData("link", "is not a web address")]
    [InlineData("past", "has already passed")]
    [InlineData("empty-body", "Write the message itself")]
    [InlineData("control", "invisible control character")]
    [InlineData("huge", "the most Publisher renders is")]
    [InlineData("zone", "is not a time zone Publisher knows")]
    public async Task Bad_input_is_refused_with_what_to_do_and_nothing_is_saved(string problem, string expected)
    {
        var (client, accounts) = await ReadyAsync();
        var title = "Bad " + Guid.NewGuid();
        var fields = Editor.Fields(title, "Notes of fig.", accounts);
        switch (problem)
        {
            case "title": fields["Input.Title"] = "  "; break;
            case "accounts": fields["__accounts"] = ""; break;
            case "link": fields["Input.Link"] = "northwind example/autumn"; break;
            case "past": fields["Input.PlannedLocal"] = "2020-01-01T09:00"; break;
            case "empty-body": fields["Input.Body"] = ""; break;
            case "control": fields["Input.Body"] = "Notes of fig\u0007 and cocoa."; break;
            case "huge": fields["Input.Body"] = new string('a', 5 * 1024 * 1024); break;
            case "zone": fields["Input.TimeZone"] = "Mars/Olympus"; break;
        }
        var response = await Editor.PostAsync(client, "/Messages/New", fields);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Nothing was saved", html);
        Assert.Contains(expected, html);
        Assert.Equal(0, await CountTitledAsync(problem == "title" ? "" : title));

        // The app keeps working: the same client saves a good message right after.
        var ok = await Editor.PostAsync(client, "/Messages/New", Editor.Fields("Good " + Guid.NewGuid(), "Notes of fig.", accounts));
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
    }

    [Fact]
    public async Task Right_to_left_text_is_saved_and_rendered_as_written()
    {
        var (client, accounts) = await ReadyAsync();
        const string arabic = "قهوة الخريف هنا: نكهات التين والكاكاو.";
        var id = Editor.SavedMessageId(await Editor.PostAsync(client, "/Messages/New", Editor.Fields("RTL " + Guid.NewGuid(), arabic, accounts)));
        var message = await Editor.LoadAsync(app, id);
        Assert.Equal(arabic, message.BodyMarkdown);
        Assert.All(message.Variants, v => Assert.Contains("قهوة", v.RenderedText));
    }

    [Fact]
    public async Task Editing_an_approved_variant_voids_its_approval_and_sends_it_back_to_review()
    {
        var (client, accounts) = await ReadyAsync("X");
        var id = Editor.SavedMessageId(await Editor.PostAsync(client, "/Messages/New", Editor.Fields("Approved " + Guid.NewGuid(), "Notes of fig.", accounts)));
        var approverId = await Editor.WithDbAsync(app, db => db.Users.Where(u => u.Email == PublisherWebApp.EmailFor(Roles.Approver)).Select(u => u.Id).SingleAsync());
        await Editor.WithDbAsync(app, async db =>
        {
            var v = await db.Variants.SingleAsync(x => x.MessageId == id);
            v.State = VariantState.Approved;
            db.Approvals.Add(new Approval { VariantId = v.Id, ApproverId = approverId, ContentHash = v.ContentHash, Decision = ApprovalDecision.Approved, At = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });

        var message = await Editor.LoadAsync(app, id);
        var fields = Editor.EditFields(message, "Notes of fig and dark chocolate.");
        // Asked first, without script: the page names the approved variant the change sends back to review, and saves nothing.
        var asked = await Editor.PostAsync(client, $"/Messages/Edit/{id}", fields);
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        var askedPage = WebUtility.HtmlDecode(await asked.Content.ReadAsStringAsync());
        Assert.Contains("id=\"confirm-save\"", askedPage);
        Assert.Equal(VariantState.Approved, (await Editor.LoadAsync(app, id)).Variants.Single().State);
        fields["Input.ConfirmImpact"] = Editor.ConfirmationToken(askedPage);
        var response = await Editor.PostAsync(client, $"/Messages/Edit/{id}", fields);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        var variant = (await Editor.LoadAsync(app, id)).Variants.Single();
        Assert.Equal(VariantState.InReview, variant.State);
        Assert.NotNull(variant.Approvals.Single().VoidedAt);
        Assert.Contains("dark chocolate", variant.RenderedText);
        Assert.True(await Editor.WithDbAsync(app, db => db.AuditEvents.AnyAsync(a => a.EntityId == variant.Id.ToString() && a.FromState == "Approved" && a.ToState == "InReview")));
    }

    [Fact]
    public async Task A_hand_edit_is_kept_flagged_when_the_message_changes_and_re_render_drops_it()
    {
        var (client, accounts) = await ReadyAsync("Mastodon");
        var id = Editor.SavedMessageId(await Editor.PostAsync(client, "/Messages/New", Editor.Fields("Hand " + Guid.NewGuid(), "Notes of fig.", accounts)));
        var variant = (await Editor.LoadAsync(app, id)).Variants.Single();

        var edit = await Editor.PostAsync(client, $"/Messages/Edit/{id}", new Dictionary<string, string>
        {
            ["variantId"] = variant.Id.ToString(), ["version"] = variant.Version.ToString(), ["text"] = "Fig and cocoa, by hand. https://northwind.example/autumn",
        }, "EditVariant");
        Assert.Equal(HttpStatusCode.Redirect, edit.StatusCode);
        variant = (await Editor.LoadAsync(app, id)).Variants.Single();
        Assert.Equal("Fig and cocoa, by hand. https://northwind.example/autumn", variant.ManualOverride);
        Assert.DoesNotContain("The message changed since your edit", await client.GetStringAsync($"/Messages/Edit/{id}"));

        var message = await Editor.LoadAsync(app, id);
        var fields = Editor.EditFields(message, "Notes of fig and hazelnut.");
        var asked = WebUtility.HtmlDecode(await (await Editor.PostAsync(client, $"/Messages/Edit/{id}", fields)).Content.ReadAsStringAsync());
        Assert.Contains("data-left-behind", asked); // the hand edit will not carry the change: asked first
        fields["Input.ConfirmImpact"] = Editor.ConfirmationToken(asked);
        Assert.Equal(HttpStatusCode.Redirect, (await Editor.PostAsync(client, $"/Messages/Edit/{id}", fields)).StatusCode);
        variant = (await Editor.LoadAsync(app, id)).Variants.Single();
        Assert.Equal("Fig and cocoa, by hand. https://northwind.example/autumn", variant.ManualOverride);
        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"/Messages/Edit/{id}"));
        Assert.Contains("The message changed since your edit", page);
        // The word diff from the hand edit to the new rendering: the edit's own words struck out, the message's new ones added.
        Assert.Matches("<del>[^<]*by hand\\.[^<]*</del>", page);
        Assert.Matches("<ins>[^<]*hazelnut[^<]*</ins>", page);

        var reRender = await Editor.PostAsync(client, $"/Messages/Edit/{id}", new Dictionary<string, string>
        {
            ["variantId"] = variant.Id.ToString(), ["version"] = variant.Version.ToString(),
        }, "ReRender");
        Assert.Equal(HttpStatusCode.Redirect, reRender.StatusCode);
        variant = (await Editor.LoadAsync(app, id)).Variants.Single();
        Assert.Null(variant.ManualOverride);
        Assert.Contains("hazelnut", variant.EffectiveText);
        Assert.DoesNotContain("The message changed since your edit", await client.GetStringAsync($"/Messages/Edit/{id}"));
    }

    [Fact]
    public async Task A_warning_is_accepted_only_with_a_reason_and_an_error_never()
    {
        var (client, accounts) = await ReadyAsync("LinkedIn");
        var id = Editor.SavedMessageId(await Editor.PostAsync(client, "/Messages/New",
            Editor.Fields("Accept " + Guid.NewGuid(), "Freshness guaranteed, and never cheap.", accounts)));
        var variant = (await Editor.LoadAsync(app, id)).Variants.Single();
        var findings = MessageWriter.FindingsOf(variant);
        var warning = findings.First(f => f.Severity == "warning" && f.MatchedText == "guaranteed");
        var error = findings.First(f => f.Severity == "error" && f.MatchedText == "cheap");
        Dictionary<string, string> Accept(string key, string reason) => new()
        {
            ["variantId"] = variant.Id.ToString(), ["version"] = variant.Version.ToString(), ["findingKey"] = key, ["reason"] = reason,
        };

        var noReason = await Editor.PostAsync(client, $"/Messages/Edit/{id}", Accept(warning.Key, " "), "AcceptWarning");
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("Say why this warning is acceptable", WebUtility.HtmlDecode(await noReason.Content.ReadAsStringAsync()));
        var errorAccepted = await Editor.PostAsync(client, $"/Messages/Edit/{id}", Accept(error.Key, "Legal said it is fine"), "AcceptWarning");
        Assert.Equal(HttpStatusCode.BadRequest, errorAccepted.StatusCode);
        Assert.Contains("errors cannot be accepted", WebUtility.HtmlDecode(await errorAccepted.Content.ReadAsStringAsync()));
        Assert.Empty((await Editor.LoadAsync(app, id)).Variants.Single().WarningAcceptances);

        var ok = await Editor.PostAsync(client, $"/Messages/Edit/{id}", Accept(warning.Key, "Legal approved this guarantee (ticket 42)"), "AcceptWarning");
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        var after = (await Editor.LoadAsync(app, id)).Variants.Single();
        var acceptance = Assert.Single(after.WarningAcceptances);
        Assert.Equal(warning.Key, acceptance.FindingKey);
        Assert.Equal("Legal approved this guarantee (ticket 42)", acceptance.Reason);
        Assert.True(MessageWriter.FindingsOf(after).Single(f => f.Key == warning.Key).Accepted);
        Assert.True(after.StyleScore > variant.StyleScore);
        Assert.Contains("Legal approved this guarantee (ticket 42)", WebUtility.HtmlDecode(await client.GetStringAsync($"/Messages/Edit/{id}")));
    }

    [Fact]
    public async Task Removing_an_account_deletes_its_draft_cancels_a_reviewed_one_and_keeps_a_published_one()
    {
        var (client, accounts) = await ReadyAsync("X", "Mastodon", "LinkedIn", "Bluesky");
        var id = Editor.SavedMessageId(await Editor.PostAsync(client, "/Messages/New", Editor.Fields("Remove " + Guid.NewGuid(), "Notes of fig.", accounts)));
        await Editor.WithDbAsync(app, async db =>
        {
            var variants = await db.Variants.Where(v => v.MessageId == id).ToListAsync();
            variants.Single(v => v.ChannelAccountId == accounts[1]).State = VariantState.InReview;
            variants.Single(v => v.ChannelAccountId == accounts[2]).State = VariantState.Published;
            return await db.SaveChangesAsync();
        });
        var message = await Editor.LoadAsync(app, id);
        var fields = Editor.EditFields(message);
        fields["__accounts"] = accounts[3].ToString(); // only Bluesky stays
        Assert.Equal(HttpStatusCode.Redirect, (await Editor.PostAsync(client, $"/Messages/Edit/{id}", fields)).StatusCode);

        var states = (await Editor.LoadAsync(app, id)).Variants.ToDictionary(v => v.ChannelAccountId, v => v.State);
        Assert.False(states.ContainsKey(accounts[0]), "the draft is deleted");
        Assert.Equal(VariantState.Canceled, states[accounts[1]]);
        Assert.Equal(VariantState.Published, states[accounts[2]]);
        Assert.Equal(VariantState.Draft, states[accounts[3]]);
    }

    [Fact]
    public async Task A_save_over_someone_elses_change_is_refused_and_overwrites_nothing()
    {
        var (client, accounts) = await ReadyAsync("X");
        var id = Editor.SavedMessageId(await Editor.PostAsync(client, "/Messages/New", Editor.Fields("Race " + Guid.NewGuid(), "Notes of fig.", accounts)));
        var stale = await Editor.LoadAsync(app, id);
        // Someone else saves a hand edit first; the version the first page holds is now out of date.
        var variant = stale.Variants.Single();
        Assert.Equal(HttpStatusCode.Redirect, (await Editor.PostAsync(client, $"/Messages/Edit/{id}", new Dictionary<string, string>
        {
            ["variantId"] = variant.Id.ToString(), ["version"] = variant.Version.ToString(), ["text"] = "Their edit.",
        }, "EditVariant")).StatusCode);

        var response = await Editor.PostAsync(client, $"/Messages/Edit/{id}", new Dictionary<string, string>
        {
            ["variantId"] = variant.Id.ToString(), ["version"] = variant.Version.ToString(), ["text"] = "My edit.",
        }, "EditVariant");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Someone else changed", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
        Assert.Equal("Their edit.", (await Editor.LoadAsync(app, id)).Variants.Single().ManualOverride);
    }

    [Fact]
    public async Task Saving_the_message_over_a_variant_someone_else_changed_saves_nothing()
    {
        var (client, accounts) = await ReadyAsync("X");
        var id = Editor.SavedMessageId(await Editor.PostAsync(client, "/Messages/New", Editor.Fields("Race message " + Guid.NewGuid(), "Notes of fig.", accounts)));
        var stale = await Editor.LoadAsync(app, id);
        var variant = stale.Variants.Single();
        Assert.Equal(HttpStatusCode.Redirect, (await Editor.PostAsync(client, $"/Messages/Edit/{id}", new Dictionary<string, string>
        {
            ["variantId"] = variant.Id.ToString(), ["version"] = variant.Version.ToString(), ["text"] = "Their edit.",
        }, "EditVariant")).StatusCode);

        var response = await Editor.PostAsync(client, $"/Messages/Edit/{id}", Editor.EditFields(stale, "My new body."));
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("Someone else changed", html);
        Assert.Contains("My new body.", html); // what was typed is still on the page
        var after = await Editor.LoadAsync(app, id);
        Assert.Equal("Notes of fig.", after.BodyMarkdown);
        Assert.Equal("Their edit.", after.Variants.Single().ManualOverride);
    }

    [Fact]
    public async Task A_page_that_never_showed_a_newly_added_account_cannot_remove_its_draft()
    {
        var (client, accounts) = await ReadyAsync("X", "Mastodon");
        var id = Editor.SavedMessageId(await Editor.PostAsync(client, "/Messages/New", Editor.Fields("Added " + Guid.NewGuid(), "Notes of fig.", accounts[0])));
        var withX = Editor.EditFields(await Editor.LoadAsync(app, id));
        withX["__accounts"] = string.Join(',', accounts);
        Assert.Equal(HttpStatusCode.Redirect, (await Editor.PostAsync(client, $"/Messages/Edit/{id}", withX)).StatusCode);

        // A page opened before Mastodon was added: it knows the X variant (current version) only.
        var fresh = await Editor.LoadAsync(app, id);
        var mastodon = fresh.Variants.Single(v => v.ChannelAccountId == accounts[1]);
        var fields = Editor.EditFields(fresh);
        fields.Remove($"Input.Versions[{mastodon.Id}]");
        fields["__accounts"] = accounts[0].ToString();
        var response = await Editor.PostAsync(client, $"/Messages/Edit/{id}", fields);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains((await Editor.LoadAsync(app, id)).Variants, v => v.Id == mastodon.Id && v.State == VariantState.Draft);
    }

    [Fact]
    public async Task An_approver_who_does_not_author_gets_403_on_the_editor()
    {
        var (marketer, accounts) = await ReadyAsync("X");
        var id = Editor.SavedMessageId(await Editor.PostAsync(marketer, "/Messages/New", Editor.Fields("Roles " + Guid.NewGuid(), "Notes of fig.", accounts)));
        var approver = await app.SignedInAsync(Roles.Approver);
        Assert.Equal(HttpStatusCode.Forbidden, (await approver.GetAsync("/Messages/New")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await approver.GetAsync($"/Messages/Edit/{id}")).StatusCode);
        var brand = await app.SignedInAsync(Roles.BrandManager);
        Assert.Equal(HttpStatusCode.OK, (await brand.GetAsync($"/Messages/Edit/{id}")).StatusCode);
    }
}
