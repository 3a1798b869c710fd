using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;

namespace Publisher.Web.Tests.Review;

[Collection(WebAppCollection.Name)]
public class ReviewPagesTests(PublisherWebApp app)
{
    private async Task<Guid> VariantInReviewAsync(string authorRole = Roles.Marketer)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var author = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(PublisherWebApp.EmailFor(authorRole));
        var account = new ChannelAccount { Name = $"Mastodon {Guid.NewGuid():N}", Kind = "Mastodon" };
        var message = new Message { Title = "Roastery open day", AuthorId = author!.Id, TimeZone = "Europe/Paris" };
        var variant = new Variant
        {
            MessageId = message.Id, ChannelAccountId = account.Id, RenderedText = "Visit the roastery on Saturday.",
            State = VariantState.InReview, LastEditedById = author.Id, ScheduledAt = DateTimeOffset.UtcNow.AddDays(2),
        };
        variant.ContentHash = ContentHash.Of(variant);
        message.Variants.Add(variant);
        db.AddRange(account, message);
        await db.SaveChangesAsync();
        return variant.Id;
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, Guid id, string handler, params (string, string)[] fields)
    {
        var token = await PublisherWebApp.AntiforgeryTokenAsync(client, $"/Variants/{id}");
        var form = fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2)).Append(new("__RequestVerificationToken", token));
        return await client.PostAsync($"/Variants/{id}?handler={handler}", new FormUrlEncodedContent(form));
    }

    private async Task<VariantState> StateAsync(Guid id)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().Variants.SingleAsync(v => v.Id == id)).State;
    }

    [Fact]
    public async Task An_approver_approves_from_the_variant_page()
    {
        var id = await VariantInReviewAsync();
        var approver = await app.SignedInAsync(Roles.Approver);
        var response = await PostAsync(approver, id, "Approve");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        // Its time is ahead, so the last approval schedules it: the worker's job is created at once.
        Assert.Equal(VariantState.Scheduled, await StateAsync(id));
        Assert.Contains("Approved. Scheduled for", await approver.GetStringAsync($"/Variants/{id}"));
    }

    [Fact]
    public async Task The_author_cannot_approve_their_own_variant_even_holding_the_approver_role()
    {
        var id = await VariantInReviewAsync(Roles.Approver);
        var self = await app.SignedInAsync(Roles.Approver);
        await PostAsync(self, id, "Approve");
        Assert.Equal(VariantState.InReview, await StateAsync(id));
        Assert.Contains("someone else must approve", await self.GetStringAsync($"/Variants/{id}"));
    }

    [Fact]
    public async Task Rejecting_without_a_comment_is_refused_with_a_reason()
    {
        var id = await VariantInReviewAsync();
        var approver = await app.SignedInAsync(Roles.Approver);
        await PostAsync(approver, id, "Reject", ("comment", ""));
        Assert.Equal(VariantState.InReview, await StateAsync(id));
        Assert.Contains("rejecting needs a comment", await approver.GetStringAsync($"/Variants/{id}"));
    }

    [Fact]
    public async Task A_marketer_may_not_approve_and_may_not_open_the_queue()
    {
        var id = await VariantInReviewAsync(Roles.Admin);
        var marketer = await app.SignedInAsync(Roles.Marketer);
        var response = await PostAsync(marketer, id, "Approve");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(VariantState.InReview, await StateAsync(id));
        Assert.Equal(HttpStatusCode.Forbidden, (await marketer.GetAsync("/Approvals")).StatusCode);
    }

    [Fact]
    public async Task The_queue_shows_waiting_variants_to_approvers()
    {
        var id = await VariantInReviewAsync();
        var approver = await app.SignedInAsync(Roles.Approver);
        var html = await approver.GetStringAsync("/Approvals");
        Assert.Contains($"/Variants/{id}", html);
        Assert.Contains("Visit the roastery on Saturday.", html);
    }

    [Fact]
    public async Task The_html_preview_runs_no_script_and_only_frames_in_our_pages()
    {
        Guid id;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            id = await VariantInReviewAsync();
            var v = await db.Variants.SingleAsync(x => x.Id == id);
            v.RenderedHtml = "<p>Hello</p>";
            await db.SaveChangesAsync();
        }
        var client = await app.SignedInAsync(Roles.Approver);
        var response = await client.GetAsync($"/Variants/{id}/Html");
        Assert.Equal("<p>Hello</p>", await response.Content.ReadAsStringAsync());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("frame-ancestors 'self'", csp);
        Assert.DoesNotContain("script-src", csp);
    }

    [Fact]
    public async Task The_style_guide_box_quotes_a_long_finding_short_instead_of_printing_the_whole_post()
    {
        var id = await VariantInReviewAsync();
        var longText = string.Join(' ', Enumerable.Repeat("Organisational considerations notwithstanding, our sustainability initiatives necessitate collaboration.", 12));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            var variant = await db.Variants.SingleAsync(v => v.Id == id);
            variant.RenderedText = longText;
            // As an older version stored a reading-ease finding: its matched text is the whole body.
            variant.StyleFindingsJson = System.Text.Json.JsonSerializer.Serialize(new[]
            {
                new { ruleId = "readability", severity = "suggestion", message = "Reading ease is 2; aim for 50 or more with shorter words and sentences.", field = "body", start = 0, length = longText.Length, matchedText = longText, key = "readability|body|readability", accepted = false },
            });
            variant.ContentHash = ContentHash.Of(variant);
            await db.SaveChangesAsync();
        }
        var approver = await app.SignedInAsync(Roles.Approver);

        var page = await approver.GetStringAsync($"/Variants/{id}");

        var quote = System.Text.RegularExpressions.Regex.Match(page, "<q class=\"excerpt\">([^<]*)</q>");
        Assert.True(quote.Success, "the finding is quoted");
        var quoted = WebUtility.HtmlDecode(quote.Groups[1].Value);
        Assert.InRange(quoted.Length, 20, 81);
        Assert.EndsWith("…", quoted);
        Assert.StartsWith("Organisational considerations notwithstanding", quoted);
        Assert.Contains("Reading ease is 2", page);
    }
}
