using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using CsvHelper;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;
using Publisher.Web.Tests.Calendar;

namespace Publisher.Web.Tests.Review;

/// <summary>What the pages, the exports and the API say: real dates, real names, every posted part, who may sign in.</summary>
[Collection(WebAppCollection.Name)]
public class TruthPagesTests(PublisherWebApp app)
{
    private async Task<T> DbAsync<T>(Func<PublisherDbContext, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<PublisherDbContext>());
    }

    private async Task<string> UserIdAsync(string role) =>
        await DbAsync(db => db.Users.Where(u => u.Email == PublisherWebApp.EmailFor(role)).Select(u => u.Id).SingleAsync());

    [Fact]
    public async Task A_blog_post_published_early_shows_the_day_it_went_out_on_its_page_in_the_index_and_in_the_feed()
    {
        var year = DateTime.UtcNow.Year + 1;
        var planned = new DateTimeOffset(year, 12, 8, 8, 0, 0, TimeSpan.Zero);
        var wentOut = new DateTimeOffset(year, 11, 30, 10, 15, 0, TimeSpan.Zero);
        var slug = "early-" + Guid.NewGuid().ToString("N")[..8];
        var title = CalendarData.Unique("Published early");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            var composer = scope.ServiceProvider.GetRequiredService<VariantComposer>();
            var account = new ChannelAccount { Name = $"Blog {Guid.NewGuid():N}", Kind = "Blog" };
            var message = new Message { Title = title, BodyMarkdown = "The holiday blend is out.", AuthorId = await UserIdAsync(Roles.Marketer), TimeZone = "Europe/Paris", PlannedAt = planned };
            var variant = new Variant { MessageId = message.Id, ChannelAccountId = account.Id, ScheduledAt = planned };
            var context = await composer.LoadContextAsync();
            composer.Apply(context, variant, message, account, composer.Render(context, variant.Id, message, account, null, "Max"), []);
            Assert.Contains($"8 December {year}", variant.RenderedHtml); // rendered (and approved) with the planned day
            (variant.State, variant.ExternalId, variant.PublishedAt) = (VariantState.Published, slug, wentOut);
            message.Variants.Add(variant);
            db.AddRange(account, message);
            await db.SaveChangesAsync();
        }
        var visitor = app.NewClient();

        var page = await visitor.GetStringAsync($"/blog/{slug}");
        Assert.Contains($"30 November {year}", page);
        Assert.DoesNotContain($"8 December {year}", page);
        Assert.Contains($"datetime=\"{year}-11-30T10:15:00Z\"", page);

        var index = await visitor.GetStringAsync("/blog");
        Assert.Contains($"30 November {year}", index);

        var feed = XDocument.Parse(await visitor.GetStringAsync("/blog/feed.atom"));
        XNamespace atom = "http://www.w3.org/2005/Atom";
        var entry = feed.Root!.Elements(atom + "entry").Single(e => e.Element(atom + "title")!.Value == title);
        Assert.Equal($"{year}-11-30T10:15:00Z", entry.Element(atom + "published")!.Value);
        Assert.Contains($"30 November {year}", entry.Element(atom + "content")!.Value);
        Assert.DoesNotContain($"8 December {year}", entry.Element(atom + "content")!.Value);
    }

    [Fact]
    public async Task A_deactivated_user_cannot_sign_in_keeps_their_name_in_the_history_and_only_users_who_never_acted_can_be_removed()
    {
        var leaver = $"leaver-{Guid.NewGuid():N}@tests.publisher.local";
        var neverActed = $"unused-{Guid.NewGuid():N}@tests.publisher.local";
        string leaverId, unusedId, stampBefore;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = new AppUser { UserName = leaver, Email = leaver, DisplayName = "Lena Leaver", EmailConfirmed = true };
            Assert.True((await users.CreateAsync(user, PublisherWebApp.Password)).Succeeded);
            await users.AddToRoleAsync(user, Roles.Approver);
            var unused = new AppUser { UserName = neverActed, Email = neverActed, DisplayName = "Uma Unused", EmailConfirmed = true };
            Assert.True((await users.CreateAsync(unused, PublisherWebApp.Password)).Succeeded);
            (leaverId, unusedId, stampBefore) = (user.Id, unused.Id, user.SecurityStamp!);
        }
        // The leaver acts once: a comment on a variant, and its audit trail.
        var variantId = (await CalendarData.MessageAsync(app, await UserIdAsync(Roles.Marketer), DateTimeOffset.UtcNow.AddDays(3), VariantState.InReview,
            CalendarData.Unique("Leaver's review"), await CalendarData.AccountAsync(app)))[0].Id;
        var leaverClient = await app.SignInAsync(leaver, PublisherWebApp.Password);
        await PublisherWebApp.PostFormAsync(leaverClient, $"/Variants/{variantId}", "Comment", ("body", "Looks good to me."));

        var admin = await app.SignedInAsync(Roles.Admin);
        Assert.Contains("never acted", WebUtility.HtmlDecode(await admin.GetStringAsync("/Admin/Users")));
        Assert.Equal(HttpStatusCode.Redirect, (await PublisherWebApp.PostFormAsync(admin, "/Admin/Users", "Deactivate", ("userId", leaverId))).StatusCode);

        var user1 = await DbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == leaverId));
        Assert.NotNull(user1.DeactivatedAt);
        Assert.NotEqual(stampBefore, user1.SecurityStamp);
        // The session the leaver had open ends at its next request.
        var openSession = await leaverClient.GetAsync($"/Variants/{variantId}");
        Assert.Equal(HttpStatusCode.Redirect, openSession.StatusCode);
        Assert.StartsWith("/Account/SignIn", openSession.Headers.Location!.PathAndQuery);
        var refused = await PublisherWebApp.PostSignInAsync(app.NewClient(), leaver, PublisherWebApp.Password);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("deactivated", await refused.Content.ReadAsStringAsync());
        var wrongPassword = await PublisherWebApp.PostSignInAsync(app.NewClient(), leaver, "Wrong-password-1");
        Assert.DoesNotContain("deactivated", await wrongPassword.Content.ReadAsStringAsync());

        // The history keeps the name.
        Assert.Contains("Lena Leaver", WebUtility.HtmlDecode(await admin.GetStringAsync($"/Variants/{variantId}")));
        var usersPage = WebUtility.HtmlDecode(await admin.GetStringAsync("/Admin/Users"));
        Assert.Contains("Deactivated", usersPage);

        // Someone who acted is not removed; someone who never did is.
        await PublisherWebApp.PostFormAsync(admin, "/Admin/Users", "Remove", ("userId", leaverId));
        Assert.True(await DbAsync(db => db.Users.AnyAsync(u => u.Id == leaverId)));
        Assert.Contains("cannot be removed: deactivate it instead", WebUtility.HtmlDecode(await admin.GetStringAsync("/Admin/Users")));
        await PublisherWebApp.PostFormAsync(admin, "/Admin/Users", "Remove", ("userId", unusedId));
        Assert.False(await DbAsync(db => db.Users.AnyAsync(u => u.Id == unusedId)));
        Assert.True(await DbAsync(db => db.AuditEvents.AnyAsync(e => e.EntityId == unusedId && e.Action == "removed" && e.Reason!.Contains("Uma Unused"))));

        // Reactivated, the leaver signs in again.
        await PublisherWebApp.PostFormAsync(admin, "/Admin/Users", "Reactivate", ("userId", leaverId));
        Assert.Equal(HttpStatusCode.Redirect, (await PublisherWebApp.PostSignInAsync(app.NewClient(), leaver, PublisherWebApp.Password)).StatusCode);
    }

    [Fact]
    public async Task A_reviewer_who_wrote_the_message_is_shown_why_they_cannot_approve_it_instead_of_a_button_that_would_be_refused()
    {
        // An account whose one approval step is the brand manager's.
        var account = await CalendarData.AccountAsync(app);
        await DbAsync(async db =>
        {
            (await db.ChannelAccounts.SingleAsync(a => a.Id == account.Id)).ApprovalSteps = [Roles.BrandManager];
            return await db.SaveChangesAsync();
        });
        var ownId = (await CalendarData.MessageAsync(app, await UserIdAsync(Roles.BrandManager), DateTimeOffset.UtcNow.AddDays(2), VariantState.InReview,
            CalendarData.Unique("Own words"), account))[0].Id;
        var othersId = (await CalendarData.MessageAsync(app, await UserIdAsync(Roles.Marketer), DateTimeOffset.UtcNow.AddDays(2), VariantState.InReview,
            CalendarData.Unique("Someone else's"), account))[0].Id;
        var brandManager = await app.SignedInAsync(Roles.BrandManager);

        var own = WebUtility.HtmlDecode(await brandManager.GetStringAsync($"/Variants/{ownId}"));
        Assert.Contains("id=\"approve\" disabled", own);
        Assert.Contains("You wrote this message, so someone else must approve its variants.", own);
        Assert.DoesNotContain("id=\"reject\"", own);

        var others = WebUtility.HtmlDecode(await brandManager.GetStringAsync($"/Variants/{othersId}"));
        Assert.Contains("name=\"comment\"", others);
        Assert.DoesNotContain("id=\"approve\" disabled", others);
    }

    [Fact]
    public async Task The_audit_log_names_variants_messages_and_accounts_by_title_and_name_with_the_id_on_hover()
    {
        var account = await CalendarData.AccountAsync(app);
        var title = CalendarData.Unique("Audit names");
        var variant = (await CalendarData.MessageAsync(app, await UserIdAsync(Roles.Marketer), DateTimeOffset.UtcNow.AddDays(2), VariantState.Draft, title, account))[0];
        await DbAsync(async db =>
        {
            var workflow = new VariantWorkflow(db, TimeProvider.System);
            workflow.Record(nameof(Variant), variant.Id.ToString(), "edited by hand", Actor.System);
            workflow.Record(nameof(Message), variant.MessageId.ToString(), "edited", Actor.System);
            workflow.Record(nameof(ChannelAccount), account.Id.ToString(), "posting slots changed", Actor.System);
            return await db.SaveChangesAsync();
        });

        var admin = await app.SignedInAsync(Roles.Admin);
        var byVariant = WebUtility.HtmlDecode(await admin.GetStringAsync($"/Audit?Entity={variant.Id}"));
        Assert.Contains($"“{title}” on {account.Name}", byVariant);
        Assert.Contains($"title=\"Variant {variant.Id}\"", byVariant);
        Assert.DoesNotContain($"<small>{variant.Id.ToString()[..8]}</small>", byVariant);
        var byMessage = WebUtility.HtmlDecode(await admin.GetStringAsync($"/Audit?Entity={variant.MessageId}"));
        Assert.Contains($"“{title}”", byMessage);
        Assert.Contains($"title=\"Message {variant.MessageId}\"", byMessage);
        var byAccount = WebUtility.HtmlDecode(await admin.GetStringAsync($"/Audit?Entity={account.Id}"));
        Assert.Contains($">{account.Name}</a>", byAccount);
    }

    [Fact]
    public async Task Every_posted_part_shows_its_link_and_network_identifiers_on_the_variant_page_in_the_CSV_and_in_the_API()
    {
        var account = new ChannelAccount { Name = CalendarData.Unique("Bluesky live"), Kind = "Bluesky", Handle = "@northwind.bsky.social", AllowThreads = true };
        var at = DateTimeOffset.UtcNow.AddHours(-2);
        var variant = new Variant
        {
            ChannelAccountId = account.Id, RenderedText = "Part one. Part two.", ThreadParts = ["Part one.", "Part two."], State = VariantState.Published, ScheduledAt = at, PublishedAt = at,
            ExternalId = "at://did:plc:abc123/app.bsky.feed.post/3kpartone",
            ExternalUrl = "https://bsky.app/profile/northwind.bsky.social/post/3kpartone",
            ExternalPartIds = ["at://did:plc:abc123/app.bsky.feed.post/3kpartone|bafyreione", "at://did:plc:abc123/app.bsky.feed.post/3kparttwo|bafyreitwo"],
        };
        await DbAsync(async db =>
        {
            var message = new Message { Title = CalendarData.Unique("Thread out"), AuthorId = await UserIdAsync(Roles.Marketer), TimeZone = "Europe/Paris" };
            variant.MessageId = message.Id;
            message.Variants.Add(variant);
            db.AddRange(account, message);
            return await db.SaveChangesAsync();
        });
        var client = await app.SignedInAsync(Roles.Approver);

        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"/Variants/{variant.Id}"));
        Assert.Contains("at://did:plc:abc123/app.bsky.feed.post/3kparttwo", page);
        Assert.Contains("bafyreitwo", page);
        Assert.Contains("href=\"https://bsky.app/profile/northwind.bsky.social/post/3kparttwo\"", page);
        Assert.Contains("href=\"https://bsky.app/profile/northwind.bsky.social/post/3kpartone\"", page);

        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, TimeZoneInfo.Utc).DateTime);
        var csv = await client.GetStringAsync($"/Calendar?view=month&date={day:yyyy-MM-dd}&account={account.Id}&handler=Csv");
        using var reader = CsvReader.FromText(csv, CsvReaderOptions.Default with { HasHeader = true });
        Assert.True(reader.Read());
        Assert.Equal("https://bsky.app/profile/northwind.bsky.social/post/3kpartone https://bsky.app/profile/northwind.bsky.social/post/3kparttwo", reader.GetString("post_url"));
        Assert.Equal("at://did:plc:abc123/app.bsky.feed.post/3kpartone|bafyreione at://did:plc:abc123/app.bsky.feed.post/3kparttwo|bafyreitwo", reader.GetString("post_ids"));

        var one = JsonDocument.Parse(await client.GetStringAsync($"/api/variants/{variant.Id}")).RootElement;
        var parts = one.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal(2, parts.Count);
        Assert.Equal("at://did:plc:abc123/app.bsky.feed.post/3kparttwo", parts[1].GetProperty("id").GetString());
        Assert.Equal("bafyreitwo", parts[1].GetProperty("cid").GetString());
        Assert.Equal("https://bsky.app/profile/northwind.bsky.social/post/3kparttwo", parts[1].GetProperty("url").GetString());
        var range = JsonDocument.Parse(await client.GetStringAsync($"/api/variants?from={Uri.EscapeDataString(at.AddMinutes(-1).ToString("O"))}&to={Uri.EscapeDataString(at.AddMinutes(1).ToString("O"))}")).RootElement;
        var listed = range.EnumerateArray().Single(v => v.GetProperty("id").GetGuid() == variant.Id);
        Assert.Equal(2, listed.GetProperty("parts").GetArrayLength());
    }
}
