using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Web.Tests.Calendar;

namespace Publisher.Web.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class CalendarBrowserTests(DemoSite site) : IClassFixture<DemoSite>
{
    private static readonly TimeZoneInfo Paris = TruthData.Paris;

    private static DateOnly TuesdayAhead() => TruthData.TuesdayAhead();

    private static DateTimeOffset ParisTime(DateOnly day, int hour, int minute) =>
        new(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(new TimeOnly(hour, minute)), Paris), TimeSpan.Zero);

    private async Task<(ChannelAccount Account, Variant Variant)> PlanAsync(VariantState state, DateTimeOffset at, string title)
    {
        var account = await CalendarData.AccountAsync(site.App);
        await using var scope = site.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var marketerEmail = site.DemoUsers.Single(u => u.Role == Roles.Marketer).Email;
        var authorId = await db.Users.Where(u => u.Email == marketerEmail).Select(u => u.Id).SingleAsync();
        var variant = (await CalendarData.MessageAsync(site.App, authorId, at, state, title, account))[0];
        return (account, variant);
    }

    [Fact]
    public async Task Dragging_an_entry_to_another_day_moves_it_and_it_stays_there_after_a_reload()
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignInAsync(browser, Roles.Marketer);
        var tuesday = TuesdayAhead();
        var thursday = tuesday.AddDays(2);
        var (account, variant) = await PlanAsync(VariantState.Draft, ParisTime(tuesday, 10, 15), CalendarData.Unique("Drag me"));

        await page.GotoAsync($"{site.BaseUrl}/Calendar?view=week&date={tuesday:yyyy-MM-dd}&account={account.Id}");
        var entry = page.Locator($".entry[data-variant='{variant.Id}']");
        var target = page.Locator($".slot[data-date='{thursday:yyyy-MM-dd}'][data-hour='14']");
        await Assertions.Expect(entry.Locator("time")).ToHaveTextAsync("10:15");
        await entry.DragToAsync(target);

        await Assertions.Expect(page.Locator("#calendar-status")).ToContainTextAsync($"moved to {thursday:yyyy-MM-dd} 14:15");
        await Assertions.Expect(target.Locator($".entry[data-variant='{variant.Id}'] time")).ToHaveTextAsync("14:15");

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator($".slot[data-date='{thursday:yyyy-MM-dd}'][data-hour='14'] .entry[data-variant='{variant.Id}'] time")).ToHaveTextAsync("14:15");
        await Assertions.Expect(page.Locator($".slot[data-date='{tuesday:yyyy-MM-dd}'] .entry[data-variant='{variant.Id}']")).ToHaveCountAsync(0);
        Assert.Equal(ParisTime(thursday, 14, 15), (await CalendarData.ReloadAsync(site.App, variant.Id)).ScheduledAt);

        // In the month view, a drop on another day keeps the time.
        var friday = tuesday.AddDays(3);
        await page.GotoAsync($"{site.BaseUrl}/Calendar?view=month&date={thursday:yyyy-MM-dd}&account={account.Id}");
        var day = page.Locator($".month-day[data-date='{friday:yyyy-MM-dd}']");
        await page.Locator($".entry[data-variant='{variant.Id}']").DragToAsync(day, new LocatorDragToOptions { TargetPosition = new TargetPosition { X = 20, Y = 60 } });
        await Assertions.Expect(page.Locator("#calendar-status")).ToContainTextAsync($"moved to {friday:yyyy-MM-dd} 14:15");
        await page.ReloadAsync();
        await Assertions.Expect(day.Locator($".entry[data-variant='{variant.Id}'] time")).ToHaveTextAsync("14:15");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("calendar-month.png"), FullPage = true });
    }

    [Fact]
    public async Task A_published_post_offers_no_move_and_a_drag_leaves_it_where_it_is()
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignInAsync(browser, Roles.Marketer);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Paris).DateTime);
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var (account, variant) = await PlanAsync(VariantState.Published, ParisTime(monday, 3, 0), CalendarData.Unique("Went out"));
        var sunday = monday.AddDays(6);

        await page.GotoAsync($"{site.BaseUrl}/Calendar?view=week&date={monday:yyyy-MM-dd}&account={account.Id}");
        var home = page.Locator($".slot[data-date='{monday:yyyy-MM-dd}'][data-hour='3']");
        var entry = home.Locator($".entry[data-variant='{variant.Id}']");
        // A move would be refused ("already published"): none is offered, by button or by dragging.
        await Assertions.Expect(entry).ToHaveAttributeAsync("draggable", "false");
        await Assertions.Expect(entry.Locator("[data-move]")).ToHaveCountAsync(0);
        // Grabbed by its time, as a person would: nothing moves.
        await entry.Locator("time").DragToAsync(page.Locator($".slot[data-date='{sunday:yyyy-MM-dd}'][data-hour='12']"));

        await Assertions.Expect(home.Locator($".entry[data-variant='{variant.Id}']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#calendar-status")).Not.ToContainTextAsync("moved");
        Assert.Equal(ParisTime(monday, 3, 0), (await CalendarData.ReloadAsync(site.App, variant.Id)).ScheduledAt);
    }

    [Fact]
    public async Task The_reschedule_dialog_moves_an_entry_from_the_keyboard_and_shows_a_refusal_in_place()
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignInAsync(browser, Roles.Marketer);
        var tuesday = TuesdayAhead();
        var (account, variant) = await PlanAsync(VariantState.Draft, ParisTime(tuesday, 9, 0), CalendarData.Unique("Keyboard"));
        await page.GotoAsync($"{site.BaseUrl}/Calendar?view=week&date={tuesday:yyyy-MM-dd}&account={account.Id}");

        await page.Locator($".entry[data-variant='{variant.Id}'] [data-move]").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var dialog = page.Locator("#move-dialog");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await page.FillAsync("#move-date", "2020-01-01");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(dialog.Locator("[data-move-error]")).ToContainTextAsync("in the past");

        await page.FillAsync("#move-date", tuesday.AddDays(1).ToString("yyyy-MM-dd"));
        await page.FillAsync("#move-time", "16:45");
        await dialog.Locator("[data-move-save]").ClickAsync();
        await Assertions.Expect(dialog).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator($".slot[data-date='{tuesday.AddDays(1):yyyy-MM-dd}'][data-hour='16'] .entry[data-variant='{variant.Id}'] time")).ToHaveTextAsync("16:45");
        Assert.Equal(ParisTime(tuesday.AddDays(1), 16, 45), (await CalendarData.ReloadAsync(site.App, variant.Id)).ScheduledAt);
    }

    [Fact]
    public async Task The_keyboard_reaches_the_content_past_a_skip_link_and_one_new_message_stop_per_day()
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await site.SignInAsync(browser, Roles.Marketer);
        var tuesday = TuesdayAhead();
        var (account, variant) = await PlanAsync(VariantState.Draft, ParisTime(tuesday.AddDays(4), 18, 30), CalendarData.Unique("Late in the week"));
        await page.GotoAsync($"{site.BaseUrl}/Calendar?view=week&date={tuesday:yyyy-MM-dd}&account={account.Id}");
        await Assertions.Expect(page.Locator($".entry[data-variant='{variant.Id}']")).ToBeVisibleAsync();

        // The first Tab of the page is the skip link; it takes the keyboard to the content.
        await page.Keyboard.PressAsync("Tab");
        var skip = page.Locator(".skip-link");
        await Assertions.Expect(skip).ToBeFocusedAsync();
        await Assertions.Expect(skip).ToBeInViewportAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("main#main")).ToBeFocusedAsync();

        // From there to the week's only post (on Saturday evening): one "new message" stop per day at most, not one per hour.
        var newMessageStops = 0;
        var found = false;
        for (var press = 0; press < 200 && !found; press++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = await page.EvaluateAsync<string>("() => { const e = document.activeElement; return (e.closest('.entry') ? 'entry ' : '') + (e.getAttribute('aria-label') ?? e.textContent ?? '').trim(); }");
            found = focused.StartsWith("entry ", StringComparison.Ordinal);
            if (focused.StartsWith("New message on", StringComparison.Ordinal))
                newMessageStops++;
        }
        Assert.True(found, "Tab never reached the post");
        Assert.InRange(newMessageStops, 1, 7);
        // The hours are no stops and no unnamed landmarks: a mouse click on an hour still starts a message there.
        Assert.Equal(0, await page.Locator(".week-grid .slot[aria-label]").CountAsync());
        Assert.Equal(0, await page.Locator(".week-grid .slot a[data-add]:not([tabindex='-1'])").CountAsync());
    }

    private static string Screenshot(string name)
    {
        var folder = Path.Combine(Publisher.Testing.RepositoryRoot.Path, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
