using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Publisher.Core.Domain;
using Publisher.Web.Tests.Calendar;

namespace Publisher.Web.Tests.Browser;

/// <summary>What the screens say is what will happen: the review loop, held posts, times, moves and the routine clicks.</summary>
[Collection(BrowserCollection.Name)]
public class TruthBrowserTests(DemoSite site) : IClassFixture<DemoSite>
{
    private static string Unique(string prefix) => CalendarData.Unique(prefix);

    private async Task<(IPlaywright, IBrowser)> LaunchAsync() => await Chromium.LaunchAsync();

    private string CalendarUrl(string view, DateOnly day, ChannelAccount account) => $"{site.BaseUrl}/Calendar?view={view}&date={day:yyyy-MM-dd}&account={account.Id}";

    [Fact]
    public async Task Saving_a_changed_message_first_names_what_goes_back_to_review_and_what_stays_hand_edited_then_marks_the_hand_edits_until_confirmed()
    {
        var x = await CalendarData.AccountAsync(site.App, "X");
        var mastodon = await CalendarData.AccountAsync(site.App, "Mastodon");
        var linkedIn = await CalendarData.AccountAsync(site.App, "LinkedIn");
        var tuesday = TruthData.TuesdayAhead();
        var (messageId, variants) = await TruthData.MessageAsync(site, Unique("Autumn Blend"), "Our Autumn Blend is back: notes of fig, cocoa and toasted hazelnut.", tuesday, 10, x, mastodon, linkedIn);
        var (xId, mastodonId, linkedInId) = (variants[x.Id], variants[mastodon.Id], variants[linkedIn.Id]);
        await TruthData.ApproveAsync(site, xId);
        await TruthData.EditByHandAsync(site, messageId, linkedInId, "Written for LinkedIn by hand: our Autumn Blend is back, with fig and cocoa. Order now: https://northwind.example/autumn");
        await TruthData.ApproveAsync(site, linkedInId);
        await TruthData.EditByHandAsync(site, messageId, mastodonId, "Written for Mastodon by hand: Autumn Blend is back. Order now: https://northwind.example/autumn");
        await TruthData.SubmitAsync(site, mastodonId);
        Assert.Equal(VariantState.Scheduled, (await TruthData.LoadAsync(site, xId)).State);
        Assert.Equal(VariantState.Scheduled, (await TruthData.LoadAsync(site, linkedInId)).State);

        var (playwright, browser) = await LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignInAsync(browser, Roles.Marketer);
        await page.GotoAsync($"{site.BaseUrl}/Messages/Edit/{messageId}");
        await page.FillAsync("#body", "Our Autumn Blend is back: notes of fig, cocoa and toasted hazelnut. Now in 1 kg bags.");
        await page.ClickAsync("#save");

        // Asked first, and nothing saved until the yes.
        var ask = page.Locator("#confirm-save");
        await Assertions.Expect(ask).ToBeVisibleAsync();
        await Assertions.Expect(ask.Locator("[data-back-to-review]")).ToContainTextAsync(x.Name);
        await Assertions.Expect(ask.Locator("[data-left-behind]")).ToContainTextAsync(linkedIn.Name);
        await Assertions.Expect(ask.Locator("[data-left-behind]")).ToContainTextAsync(mastodon.Name);
        await Assertions.Expect(ask.Locator("[data-back-to-review]")).Not.ToContainTextAsync(linkedIn.Name);
        Assert.Equal(VariantState.Scheduled, (await TruthData.LoadAsync(site, xId)).State);
        Assert.DoesNotContain("1 kg", (await TruthData.LoadAsync(site, xId)).RenderedText);
        Assert.Equal("Our Autumn Blend is back: notes of fig, cocoa and toasted hazelnut. Now in 1 kg bags.", await page.InputValueAsync("#body"));

        await page.ClickAsync("#confirm-save-button");
        var notice = page.Locator(".alert-ok");
        await Assertions.Expect(notice).ToContainTextAsync("Back to review");
        await Assertions.Expect(notice).ToContainTextAsync(x.Name);
        await Assertions.Expect(notice).ToContainTextAsync($"kept as written (the message changed since the edit): {linkedIn.Name}");
        Assert.Equal(VariantState.InReview, (await TruthData.LoadAsync(site, xId)).State);
        Assert.Equal(VariantState.Scheduled, (await TruthData.LoadAsync(site, linkedInId)).State);

        // The mark, wherever the hand-edited variants show.
        await page.GotoAsync($"{site.BaseUrl}/Variants/{linkedInId}");
        await Assertions.Expect(page.Locator("#variant-stale")).ToHaveTextAsync("message changed since this edit");
        foreach (var view in new[] { "week", "month", "list" })
        {
            await page.GotoAsync(CalendarUrl(view, tuesday, linkedIn));
            await Assertions.Expect(page.Locator($".entry[data-variant='{linkedInId}'] [data-stale]")).ToBeVisibleAsync();
        }
        var approver = await site.SignInAsync(browser, Roles.Approver);
        await approver.GotoAsync($"{site.BaseUrl}/Approvals?Message={messageId}");
        await Assertions.Expect(approver.Locator($".queue-item[data-variant='{mastodonId}'] [data-stale]")).ToBeVisibleAsync();
        await Assertions.Expect(approver.Locator($".queue-item[data-variant='{xId}'] [data-stale]")).ToHaveCountAsync(0);

        // Its author keeps the edit as it is: the mark goes, the schedule and the approval stay.
        await page.GotoAsync($"{site.BaseUrl}/Messages/Edit/{messageId}");
        var card = page.Locator($"#variant-{linkedInId}");
        await Assertions.Expect(card.Locator("[data-stale-badge]")).ToBeVisibleAsync();
        await card.Locator("[data-confirm-edit]").ClickAsync();
        await Assertions.Expect(page.Locator(".alert-ok")).ToContainTextAsync("Your edit is kept as written");
        await Assertions.Expect(page.Locator($"#variant-{linkedInId} [data-stale-badge]")).ToHaveCountAsync(0);
        await page.GotoAsync(CalendarUrl("week", tuesday, linkedIn));
        await Assertions.Expect(page.Locator($".entry[data-variant='{linkedInId}']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($".entry[data-variant='{linkedInId}'] [data-stale]")).ToHaveCountAsync(0);
        Assert.Equal(VariantState.Scheduled, (await TruthData.LoadAsync(site, linkedInId)).State);
    }

    [Fact]
    public async Task A_post_held_by_the_style_guide_says_so_everywhere_and_offers_nothing_that_would_be_refused()
    {
        var word = "zorb" + Guid.NewGuid().ToString("N")[..6];
        var account = await CalendarData.AccountAsync(site.App, "Mastodon");
        var tuesday = TruthData.TuesdayAhead();
        var (_, variants) = await TruthData.MessageAsync(site, Unique("Held"), $"Our {word} roast is back: notes of fig and cocoa.", tuesday, 11, account);
        var id = variants[account.Id];
        await TruthData.ApproveAsync(site, id);

        var (playwright, browser) = await LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        // The brand manager bans the word: the scheduled post is held back, and the notice leads to it.
        var brand = await site.SignInAsync(browser, Roles.BrandManager);
        await brand.GotoAsync($"{site.BaseUrl}/StyleGuide/Edit");
        var ban = brand.Locator("form[action*='AddBanned']");
        await ban.Locator("input[name=term]").FillAsync(word);
        await ban.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(brand.Locator("#notice")).ToContainTextAsync("scheduled held back");
        await brand.Locator("#held-link a").ClickAsync();
        await brand.WaitForURLAsync("**/Variants/Held");
        var row = brand.Locator($"#held-list tr[data-variant='{id}']");
        await Assertions.Expect(row).ToContainTextAsync(word);
        await Assertions.Expect(row).ToContainTextAsync("vocabulary.banned");
        Assert.True((await TruthData.LoadAsync(site, id)).HeldByStyleGuide);

        var page = await site.SignInAsync(browser, Roles.Marketer);
        foreach (var view in new[] { "week", "month", "list" })
        {
            await page.GotoAsync(CalendarUrl(view, tuesday, account));
            var entry = page.Locator($".entry[data-variant='{id}']");
            await Assertions.Expect(entry.Locator("[data-held]")).ToContainTextAsync("held");
            await Assertions.Expect(entry.Locator("[data-held]")).ToHaveAttributeAsync("title", new Regex("vocabulary\\.banned"));
            await Assertions.Expect(entry.Locator("[data-move]")).ToHaveCountAsync(0);
            Assert.Equal("false", await entry.GetAttributeAsync("draggable"));
        }

        await page.GotoAsync($"{site.BaseUrl}/Variants/{id}");
        await Assertions.Expect(page.Locator("#variant-held")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#held-reason")).ToContainTextAsync("vocabulary.banned");
        await Assertions.Expect(page.Locator("#publish-now")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#publish-now-why")).ToContainTextAsync("held back");
        await Assertions.Expect(page.Locator("#reschedule-form")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#next-slot")).ToHaveCountAsync(0);

        // The CSV export, the API and the calendar feed say it too.
        var csv = await page.APIRequest.GetAsync($"{site.BaseUrl}/Calendar?view=month&date={tuesday:yyyy-MM-dd}&account={account.Id}&handler=Csv");
        var csvText = await csv.TextAsync();
        Assert.Contains("held", csvText.Split('\n')[0]);
        Assert.Contains("Held back by the style guide", csvText);
        var api = JsonDocument.Parse(await (await page.APIRequest.GetAsync($"{site.BaseUrl}/api/variants/{id}")).TextAsync()).RootElement;
        Assert.True(api.GetProperty("held").GetBoolean());
        Assert.Contains("vocabulary.banned", api.GetProperty("heldReason").GetString());
        var secret = Publisher.Web.Pages.Calendar.CalendarFeed.NewSecret();
        var marketerEmail = site.DemoUsers.Single(u => u.Role == Roles.Marketer).Email;
        await TruthData.QueryAsync(site, async db =>
        {
            var user = await db.Users.SingleAsync(u => u.Email == marketerEmail);
            user.CalendarFeedTokenHash = Publisher.Web.Pages.Calendar.CalendarFeed.Hash(secret);
            return await db.SaveChangesAsync();
        });
        var ics = await (await page.APIRequest.GetAsync($"{site.BaseUrl}/calendar/feed/{secret}.ics")).TextAsync();
        var unfolded = ics.Replace("\r\n ", "");
        Assert.Matches($"SUMMARY:\\[HELD\\] Mastodon · {Regex.Escape(account.Name)}", unfolded);

        var approver = await site.SignInAsync(browser, Roles.Approver);
        await approver.GotoAsync($"{site.BaseUrl}/Approvals");
        await Assertions.Expect(approver.Locator("#held-notice a")).ToHaveAttributeAsync("href", "/Variants/Held");
    }

    [Fact]
    public async Task Times_name_their_zone_the_slots_confirmation_says_the_brands_and_the_audit_log_shows_no_UTC()
    {
        var account = await CalendarData.AccountAsync(site.App, "X");
        var (playwright, browser) = await LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var admin = await site.SignInAsync(browser, Roles.Admin);
        await admin.GotoAsync($"{site.BaseUrl}/Channels");
        await admin.Locator($"input[aria-label='Posting slots for {account.Name}']").FillAsync("weekdays 13:00");
        await admin.Locator($"tr:has(input[aria-label='Posting slots for {account.Name}']) .slots-form button").ClickAsync();
        var notice = admin.Locator(".alert-ok");
        await Assertions.Expect(notice).ToContainTextAsync("Europe/Paris");
        await Assertions.Expect(notice).Not.ToContainTextAsync("UTC");

        // A move is recorded with its instants; the log shows them in the reader's zone like its own column.
        var tuesday = TruthData.TuesdayAhead();
        var (_, variants) = await TruthData.MessageAsync(site, Unique("Audit times"), "Our Autumn Blend is back: notes of fig and cocoa.", tuesday, 9, account);
        var id = variants[account.Id];
        await TruthData.ApproveAsync(site, id);
        await admin.GotoAsync($"{site.BaseUrl}/Audit?Entity={id}");
        var table = admin.Locator("table.audit tbody");
        await Assertions.Expect(table).ToContainTextAsync($"{tuesday:yyyy-MM-dd} 09:00");
        await Assertions.Expect(table).Not.ToContainTextAsync("UTC");
        await Assertions.Expect(admin.Locator("#audit-zone")).ToContainTextAsync("Europe/Paris");

        var marketer = await site.SignInAsync(browser, Roles.Marketer);
        await marketer.GotoAsync($"{site.BaseUrl}/Inbox");
        var first = marketer.Locator(".inbox li small").First;
        await Assertions.Expect(first).ToContainTextAsync("(Europe/Paris)");
        await Assertions.Expect(marketer.Locator(".inbox")).Not.ToContainTextAsync("UTC");
    }

    [Fact]
    public async Task Next_free_slot_outside_the_visible_week_moves_the_post_says_where_and_keeps_focus_and_published_posts_offer_no_move()
    {
        var account = await CalendarData.AccountAsync(site.App, "Mastodon", "daily 10:00");
        var tuesday = TruthData.TuesdayAhead();
        var (_, variants) = await TruthData.MessageAsync(site, Unique("Next slot"), "Our Autumn Blend is back: notes of fig and cocoa.", tuesday, 15, account);
        var id = variants[account.Id];

        var (playwright, browser) = await LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignInAsync(browser, Roles.Marketer);
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(CalendarUrl("week", tuesday, account));
        await page.Locator($".entry[data-variant='{id}'] [data-move]").ClickAsync();
        await Assertions.Expect(page.Locator("#move-dialog")).ToBeVisibleAsync();
        await page.Locator("#move-dialog [data-next-slot]").ClickAsync();

        // The next 10:00 is well before that week: the post leaves the view, and the page says where it went.
        await Assertions.Expect(page.Locator("#move-dialog")).ToBeHiddenAsync();
        var status = page.Locator("#calendar-status");
        await Assertions.Expect(status).ToContainTextAsync("moved to");
        await Assertions.Expect(status).ToContainTextAsync("outside this view");
        await Assertions.Expect(status).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator($".entry[data-variant='{id}']")).ToHaveCountAsync(0);
        Assert.Empty(errors);
        var moved = await TruthData.LoadAsync(site, id);
        var mondayOfThatWeek = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(tuesday.AddDays(-1).ToDateTime(TimeOnly.MinValue), TruthData.Paris), TimeSpan.Zero);
        Assert.True(moved.ScheduledAt < mondayOfThatWeek, $"moved to {moved.ScheduledAt}, before the week shown");
        Assert.Equal(10, TimeZoneInfo.ConvertTime(moved.ScheduledAt!.Value, TruthData.Paris).Hour);

        // A published post offers no Move, in any view.
        var marketerId = (await TruthData.DemoActorAsync(site, Roles.Marketer)).UserId!;
        var wentOut = DateTimeOffset.UtcNow.AddMinutes(-5);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(wentOut, TruthData.Paris).DateTime);
        var published = (await CalendarData.MessageAsync(site.App, marketerId, wentOut, VariantState.Published, Unique("Out"), account))[0];
        foreach (var view in new[] { "month", "week", "list" })
        {
            await page.GotoAsync(CalendarUrl(view, today, account));
            var entry = page.Locator($".entry[data-variant='{published.Id}']");
            await Assertions.Expect(entry).ToBeVisibleAsync();
            await Assertions.Expect(entry.Locator("[data-move]")).ToHaveCountAsync(0);
        }
    }

    [Fact]
    public async Task Submit_all_sends_what_it_can_says_why_not_for_the_rest_and_every_variant_links_to_its_message()
    {
        var x = await CalendarData.AccountAsync(site.App, "X");
        var mastodon = await CalendarData.AccountAsync(site.App, "Mastodon");
        var linkedIn = await CalendarData.AccountAsync(site.App, "LinkedIn");
        var title = Unique("Submit all");
        var (messageId, variants) = await TruthData.MessageAsync(site, title, "Our Autumn Blend is back: notes of fig, cocoa and toasted hazelnut.", TruthData.TuesdayAhead(), 10, x, mastodon, linkedIn);
        await TruthData.EditByHandAsync(site, messageId, variants[linkedIn.Id], "Our beans are cheap now. Order now.");

        var (playwright, browser) = await LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignInAsync(browser, Roles.Marketer);
        await page.GotoAsync($"{site.BaseUrl}/Messages/Edit/{messageId}");
        foreach (var (accountId, variantId) in variants)
            await Assertions.Expect(page.Locator($"#variant-{variantId} a[data-variant-link]")).ToHaveAttributeAsync("href", $"/Variants/{variantId}");

        await page.ClickAsync("#submit-all");
        await Assertions.Expect(page.Locator(".alert-ok")).ToContainTextAsync("Sent for review");
        await Assertions.Expect(page.Locator(".alert-ok")).ToContainTextAsync(x.Name);
        await Assertions.Expect(page.Locator(".alert-ok")).ToContainTextAsync(mastodon.Name);
        await Assertions.Expect(page.Locator("#outcomes")).ToContainTextAsync($"{linkedIn.Name}: not sent.");
        await Assertions.Expect(page.Locator("#outcomes")).ToContainTextAsync("style guide");
        Assert.Equal(VariantState.InReview, (await TruthData.LoadAsync(site, variants[x.Id])).State);
        Assert.Equal(VariantState.InReview, (await TruthData.LoadAsync(site, variants[mastodon.Id])).State);
        Assert.Equal(VariantState.Draft, (await TruthData.LoadAsync(site, variants[linkedIn.Id])).State);

        await page.Locator($"#variant-{variants[x.Id]} a[data-variant-link]").ClickAsync();
        await page.WaitForURLAsync($"**/Variants/{variants[x.Id]}");
        await page.Locator("#message-link").ClickAsync();
        await page.WaitForURLAsync($"**/Messages/Edit/{messageId}");

        // The approver gets one line for the message, not one per variant, and it leads to that message's variants.
        var approver = await site.SignInAsync(browser, Roles.Approver);
        await approver.GotoAsync($"{site.BaseUrl}/Inbox");
        var line = approver.Locator(".inbox li", new PageLocatorOptions { HasText = title });
        await Assertions.Expect(line).ToHaveCountAsync(1);
        await Assertions.Expect(line).ToContainTextAsync($"2 variants of “{title}” await your review");
        await line.Locator("button").ClickAsync();
        await approver.WaitForURLAsync(new Regex($"/Approvals\\?Message={messageId}$"));
        await Assertions.Expect(approver.Locator(".queue-item")).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task An_approver_with_work_lands_on_Approvals_unless_a_page_asked_for_and_rejects_from_the_queue()
    {
        var account = await CalendarData.AccountAsync(site.App, "X");
        var (_, variants) = await TruthData.MessageAsync(site, Unique("Reject me"), "Our Autumn Blend is back: notes of fig and cocoa.", TruthData.TuesdayAhead(), 10, account);
        var id = variants[account.Id];
        await TruthData.SubmitAsync(site, id);

        var (playwright, browser) = await LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var approver = await site.SignInAsync(browser, Roles.Approver);
        Assert.EndsWith("/Approvals", new Uri(approver.Url).AbsolutePath);

        // A local page the approver was sent away from still wins.
        var context = await Chromium.NewContextAsync(browser, new BrowserNewContextOptions());
        var direct = await context.NewPageAsync();
        await direct.GotoAsync($"{site.BaseUrl}/Calendar?view=month");
        await direct.WaitForURLAsync("**/Account/SignIn**");
        var user = site.DemoUsers.Single(u => u.Role == Roles.Approver);
        await direct.FillAsync("input[name='Input.Email']", user.Email);
        await direct.FillAsync("input[name='Input.Password']", user.Password);
        await direct.ClickAsync("button[type=submit]");
        await direct.WaitForURLAsync(new Regex("/Calendar\\?view=month$"));

        var item = approver.Locator($".queue-item[data-variant='{id}']");
        await item.Locator("summary").ClickAsync();
        await item.Locator("textarea[name=comment]").FillAsync("Say which farms, please.");
        await item.Locator("[data-reject]").ClickAsync();
        await Assertions.Expect(approver.Locator(".alert-ok")).ToContainTextAsync("Rejected");
        await Assertions.Expect(approver.Locator($".queue-item[data-variant='{id}']")).ToHaveCountAsync(0);
        Assert.Equal(VariantState.Rejected, (await TruthData.LoadAsync(site, id)).State);
        Assert.Equal("Say which farms, please.", await TruthData.QueryAsync(site, db => db.Comments.Where(c => c.VariantId == id).Select(c => c.Body).SingleAsync()));

        // A marketer (no review work) lands on the calendar.
        var marketer = await site.SignInAsync(browser, Roles.Marketer);
        Assert.EndsWith("/Calendar", new Uri(marketer.Url).AbsolutePath);
    }

    [Fact]
    public async Task Add_to_queue_places_each_variant_in_its_next_free_slot_and_the_queue_reorders_posts_keeping_the_slot_times()
    {
        var slotted = await CalendarData.AccountAsync(site.App, "Mastodon", "daily 09:00 13:00");
        var unslotted = await CalendarData.AccountAsync(site.App, "X");
        var first = await TruthData.MessageAsync(site, Unique("First in line"), "Our Autumn Blend is back: notes of fig and cocoa.", TruthData.TuesdayAhead(), 16, slotted, unslotted);
        var second = await TruthData.MessageAsync(site, Unique("Second in line"), "Our Autumn Blend is back: notes of fig and cocoa.", TruthData.TuesdayAhead(), 17, slotted);
        await TruthData.ApproveAsync(site, first.Variants[slotted.Id]);

        var (playwright, browser) = await LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignInAsync(browser, Roles.Marketer);
        await page.GotoAsync($"{site.BaseUrl}/Messages/Edit/{first.MessageId}");
        await page.ClickAsync("#queue-all");
        await Assertions.Expect(page.Locator("#outcomes")).ToContainTextAsync($"{slotted.Name}:");
        await Assertions.Expect(page.Locator("#outcomes")).ToContainTextAsync("scheduled");
        await Assertions.Expect(page.Locator("#outcomes")).ToContainTextAsync($"{unslotted.Name}: not queued.");
        await Assertions.Expect(page.Locator("#outcomes")).ToContainTextAsync("no posting slots");
        await page.GotoAsync($"{site.BaseUrl}/Messages/Edit/{second.MessageId}");
        await page.ClickAsync("#queue-all");
        await Assertions.Expect(page.Locator("#outcomes")).ToContainTextAsync($"{slotted.Name}:");

        var a = await TruthData.LoadAsync(site, first.Variants[slotted.Id]);
        var b = await TruthData.LoadAsync(site, second.Variants[slotted.Id]);
        Assert.Equal(VariantState.Scheduled, a.State);
        Assert.True(a.ScheduledAt < b.ScheduledAt, "the second message takes the slot after the first's");
        foreach (var at in new[] { a.ScheduledAt!.Value, b.ScheduledAt!.Value })
            Assert.Contains(TimeZoneInfo.ConvertTime(at, TruthData.Paris).Hour, new[] { 9, 13 });

        await page.GotoAsync($"{site.BaseUrl}/Queue?account={slotted.Id}");
        var lines = page.Locator("#queue [data-variant]");
        await Assertions.Expect(lines).ToHaveCountAsync(2);
        Assert.Equal(a.Id.ToString(), await lines.Nth(0).GetAttributeAsync("data-variant"));
        Assert.Equal(b.Id.ToString(), await lines.Nth(1).GetAttributeAsync("data-variant"));
        await Assertions.Expect(page.Locator("#queue li.free").First).ToBeVisibleAsync();

        await lines.Nth(1).Locator("[data-up]").ClickAsync();
        await Assertions.Expect(page.Locator("#queue-notice")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#queue [data-variant]").Nth(0)).ToHaveAttributeAsync("data-variant", b.Id.ToString());
        var a2 = await TruthData.LoadAsync(site, a.Id);
        var b2 = await TruthData.LoadAsync(site, b.Id);
        Assert.Equal(a.ScheduledAt, b2.ScheduledAt);
        Assert.Equal(b.ScheduledAt, a2.ScheduledAt);
        // Moved through the scheduler: the approved one is still scheduled, with a new job, and keeps its approval.
        Assert.Equal(VariantState.Scheduled, a2.State);
        Assert.NotEqual(a.JobId, a2.JobId);
        Assert.Contains(a2.Approvals, x => x.VoidedAt is null && x.ContentHash == a2.ContentHash);
    }

    [Fact]
    public async Task Threads_can_be_switched_on_for_an_existing_account_and_its_posts_that_would_change_are_offered_a_re_render()
    {
        var account = await CalendarData.AccountAsync(site.App, "Bluesky");
        var longBody = string.Join(' ', Enumerable.Repeat("Our Autumn Blend is back with notes of fig, cocoa and toasted hazelnut.", 6));
        var (_, variants) = await TruthData.MessageAsync(site, Unique("Long"), longBody, TruthData.TuesdayAhead(), 10, account);
        var id = variants[account.Id];
        Assert.Empty((await TruthData.LoadAsync(site, id)).ThreadParts);

        var (playwright, browser) = await LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var admin = await site.SignInAsync(browser, Roles.Admin);
        await admin.GotoAsync($"{site.BaseUrl}/Channels");
        await Assertions.Expect(admin.Locator("#threads-hint")).ToContainTextAsync("counted against the network's limit on its own");
        var row = admin.Locator($"tr:has(a[href='/Channels/Connection/{account.Id}'])");
        await Assertions.Expect(row.Locator("[data-threads]")).ToHaveTextAsync("Off");
        await row.Locator(".threads-form button").ClickAsync();
        await Assertions.Expect(admin.Locator(".alert-ok")).ToContainTextAsync("Threads are on");
        await Assertions.Expect(row.Locator("[data-threads]")).ToHaveTextAsync("On");
        Assert.True((await TruthData.QueryAsync(site, db => db.ChannelAccounts.SingleAsync(a => a.Id == account.Id))).AllowThreads);

        await Assertions.Expect(admin.Locator("#thread-rerender")).ToContainTextAsync("1 post was rendered with the old thread setting");
        await admin.ClickAsync("#rerender-threads");
        await Assertions.Expect(admin.Locator(".alert-ok")).ToContainTextAsync("Re-rendered 1");
        Assert.True((await TruthData.LoadAsync(site, id)).ThreadParts.Count > 1);
    }

    [Fact]
    public async Task A_post_the_worker_is_publishing_says_so_and_its_page_shows_the_result_by_itself_once_it_is_known()
    {
        var account = await CalendarData.AccountAsync(site.App, "Mastodon");
        var (_, variants) = await TruthData.MessageAsync(site, Unique("Going out"), "Our Autumn Blend is back: notes of fig and cocoa.", TruthData.TuesdayAhead(), 10, account);
        var id = variants[account.Id];
        await TruthData.ApproveAsync(site, id);
        // The worker's claim, as its dispatcher makes it.
        await TruthData.QueryAsync(site, db => db.Variants.Where(v => v.Id == id).ExecuteUpdateAsync(u => u.SetProperty(v => v.State, VariantState.Publishing)));

        var (playwright, browser) = await LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignInAsync(browser, Roles.Marketer);
        await page.GotoAsync($"{site.BaseUrl}/Variants/{id}");
        await Assertions.Expect(page.Locator("#being-published")).ToContainTextAsync("Being published");
        await Assertions.Expect(page.Locator("#published")).ToHaveCountAsync(0);

        // The network answers; nobody touches the page, and it shows the post.
        const string url = "https://mastodon.example/@northwind/1101";
        await TruthData.QueryAsync(site, db => db.Variants.Where(v => v.Id == id).ExecuteUpdateAsync(u => u
            .SetProperty(v => v.State, VariantState.Published).SetProperty(v => v.PublishedAt, DateTimeOffset.UtcNow)
            .SetProperty(v => v.ExternalId, "1101").SetProperty(v => v.ExternalUrl, url)
            .SetProperty(v => v.ExternalPartIds, new List<string> { "1101" })));
        await Assertions.Expect(page.Locator("#published")).ToContainTextAsync("Published");
        await Assertions.Expect(page.Locator("#posted-parts a")).ToHaveAttributeAsync("href", url);
        await Assertions.Expect(page.Locator("#posted-parts .part-id")).ToHaveTextAsync("1101");
        await Assertions.Expect(page.Locator("#being-published")).ToHaveCountAsync(0);
    }
}
