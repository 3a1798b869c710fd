using Microsoft.Playwright;

namespace Publisher.Web.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class EditorBrowserTests(DemoSite site) : IClassFixture<DemoSite>
{
    [Fact]
    public async Task Typing_updates_the_x_counter_which_turns_red_past_280()
    {
        var (playwright, browser, page) = await SignedInMarketerAsync();
        using var _ = playwright;
        await using var __ = browser;

        await page.ClickAsync("nav.mainnav >> text=New message");
        await page.WaitForURLAsync("**/Messages/New");
        var counter = page.Locator(".preview-card[data-kind='X'] [data-counter]");

        await page.FillAsync("#title", "Autumn Blend");
        await page.FillAsync("#body", "Notes of fig and cocoa.");
        // The title alone renders first: wait for the rendering that has the body, then read its counter.
        await Assertions.Expect(page.Locator(".preview-card[data-kind='X'] [data-text]")).ToContainTextAsync("Notes of fig and cocoa.");
        await Assertions.Expect(counter).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+/280$"));
        var shortCount = int.Parse((await counter.InnerTextAsync()).Split('/')[0]);
        Assert.InRange(shortCount, 10, 280);
        await Assertions.Expect(counter).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bover\b"));

        await page.FillAsync("#body", string.Join(' ', Enumerable.Repeat("Notes of fig, cocoa and toasted hazelnut.", 9)));
        await Assertions.Expect(counter).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bover\b"));
        var longCount = int.Parse((await counter.InnerTextAsync()).Split('/')[0]);
        Assert.True(longCount > 280, $"the counter shows {longCount}");
        Assert.Equal("rgb(185, 28, 28)", await counter.EvaluateAsync<string>("e => getComputedStyle(e).color"));
        await Assertions.Expect(page.Locator(".preview-card[data-kind='X'] [data-diagnostics]").First).ToContainTextAsync("280");
    }

    [Fact]
    public async Task Each_live_preview_colours_what_its_network_links_and_a_thread_is_counted_post_by_post()
    {
        var (playwright, browser, page) = await SignedInMarketerAsync();
        using var _ = playwright;
        await using var __ = browser;
        await using var ___ = await site.LinksAsWrittenAsync("X");
        await page.GotoAsync(site.BaseUrl + "/Messages/New");
        var x = page.Locator(".preview-card[data-kind='X']");
        var bluesky = page.Locator(".preview-card[data-kind='Bluesky']");
        var mastodon = page.Locator(".preview-card[data-kind='Mastodon']");

        await page.FillAsync("#title", "Holiday Roast");
        await page.FillAsync("#body", "Meet us see:https://example.com/x and @bob.bsky.social #Launch");
        // X (twitter-text) links the URL glued after "see:"; Bluesky (RichText) does not, and mentions the whole handle.
        await Assertions.Expect(x.Locator("[data-text] .t-link")).ToHaveTextAsync("https://example.com/x");
        await Assertions.Expect(x.Locator("[data-text] .t-tag")).ToHaveTextAsync("#Launch");
        await Assertions.Expect(bluesky.Locator("[data-text] .t-mention")).ToHaveTextAsync("@bob.bsky.social");
        await Assertions.Expect(bluesky.Locator("[data-text] .t-tag")).ToHaveTextAsync("#Launch");
        await Assertions.Expect(bluesky.Locator("[data-text] .t-link")).ToHaveCountAsync(0);

        await page.FillAsync("#body", string.Join(' ', Enumerable.Repeat("Our roastery opens its doors on Saturday for tastings.", 11)));
        // Mastodon allows threads: each post against 500, not red. X does not: red, with the way to allow threads.
        var mastodonCounter = mastodon.Locator("[data-counter]");
        await Assertions.Expect(mastodonCounter).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ posts: \d+/500 · \d+/500"));
        Assert.False(await mastodonCounter.EvaluateAsync<bool>("e => e.classList.contains('over')"));
        await Assertions.Expect(x.Locator("[data-counter]")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bover\b"));
        var allow = x.Locator("[data-fit] a[data-allow-threads]");
        await Assertions.Expect(allow).ToHaveTextAsync("allow threads for Northwind on X");
        Assert.StartsWith("/Channels#account-", await allow.GetAttributeAsync("href"));
    }

    private async Task<(IPlaywright, IBrowser, IPage)> SignedInMarketerAsync()
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        var page = await site.SignInAsync(browser, "Marketer");
        return (playwright, browser, page);
    }

    [Fact]
    public async Task A_banned_word_turns_red_in_the_preview_and_a_one_click_fix_rewrites_the_body()
    {
        var (playwright, browser, page) = await SignedInMarketerAsync();
        using var _ = playwright;
        await using var __ = browser;
        await page.GotoAsync(site.BaseUrl + "/Messages/New");
        var x = page.Locator(".preview-card[data-kind='X']");

        await page.FillAsync("#title", "Autumn Blend");
        await page.FillAsync("#body", "Our beans are cheap. Come in order to taste them.");
        var banned = x.Locator("mark.finding-error[data-rule='vocabulary.banned']");
        await Assertions.Expect(banned).ToHaveTextAsync("cheap");
        Assert.Equal("rgb(185, 28, 28)", await banned.EvaluateAsync<string>("e => getComputedStyle(e).color"));
        await Assertions.Expect(x.Locator(".finding-item[data-rule='vocabulary.banned']")).ToContainTextAsync("good value");
        await Assertions.Expect(x.Locator("[data-score]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^score \d+$"));

        var suggestion = x.Locator("mark.finding-suggestion[data-rule='plain-words']");
        await Assertions.Expect(suggestion).ToHaveTextAsync("in order to");
        await x.Locator(".finding-item[data-rule='plain-words'] button.fix").ClickAsync();

        await Assertions.Expect(page.Locator("#body")).ToHaveValueAsync("Our beans are cheap. Come to taste them.");
        await Assertions.Expect(suggestion).ToHaveCountAsync(0);
        await Assertions.Expect(x.Locator("[data-text]")).ToContainTextAsync("Come to taste them.");
        await Assertions.Expect(banned).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("editor.png"), FullPage = true });
    }

    [Fact]
    public async Task A_banned_word_turns_red_and_its_one_click_fix_takes_it_out()
    {
        var (playwright, browser, page) = await SignedInMarketerAsync();
        using var _ = playwright;
        await using var __ = browser;
        await page.GotoAsync(site.BaseUrl + "/Messages/New");
        var x = page.Locator(".preview-card[data-kind='X']");

        await page.FillAsync("#title", "Tuesday roast");
        await page.FillAsync("#body", "Our world-class beans are roasted on Tuesdays.");
        var banned = x.Locator("mark.finding-error[data-rule='vocabulary.banned']");
        await Assertions.Expect(banned).ToHaveTextAsync("world-class");
        Assert.Equal("rgb(185, 28, 28)", await banned.EvaluateAsync<string>("e => getComputedStyle(e).color"));

        await x.Locator(".finding-item[data-rule='vocabulary.banned'] button.fix").ClickAsync();

        await Assertions.Expect(page.Locator("#body")).ToHaveValueAsync("Our beans are roasted on Tuesdays.");
        await Assertions.Expect(banned).ToHaveCountAsync(0);
        await Assertions.Expect(x.Locator("[data-text]")).ToContainTextAsync("Our beans are roasted on Tuesdays.");
    }

    [Fact]
    public async Task A_hand_edit_is_previewed_and_checked_and_after_a_message_change_shows_the_diff_until_re_rendered()
    {
        var (playwright, browser, page) = await SignedInMarketerAsync();
        using var _ = playwright;
        await using var __ = browser;
        await page.GotoAsync(site.BaseUrl + "/Messages/New");
        await page.FillAsync("#title", "Hand edit " + Guid.NewGuid().ToString("N")[..6]);
        await page.FillAsync("#body", "Notes of fig and cocoa.");
        await page.ClickAsync("#save");
        await page.WaitForURLAsync("**/Messages/Edit/**");

        var variant = page.Locator("article.variant", new PageLocatorOptions { Has = page.Locator(".channel-x") });
        await variant.Locator("summary").ClickAsync();
        await variant.Locator("textarea[name=text]").FillAsync("Written by hand for X: cheap and cheerful.");
        var preview = page.Locator(".preview-card[data-kind='X']");
        await Assertions.Expect(preview.Locator("mark.finding-error")).ToHaveTextAsync("cheap");
        await Assertions.Expect(preview.Locator("[data-text]")).ToContainTextAsync("Written by hand for X");
        await variant.Locator("button[type=submit]", new LocatorLocatorOptions { HasText = "Save edit" }).ClickAsync();
        await Assertions.Expect(page.Locator(".alert-ok")).ToContainTextAsync("Your edit of the variant is saved");
        await Assertions.Expect(variant.Locator(".edited-badge")).ToHaveCountAsync(1);
        await Assertions.Expect(variant.Locator("[data-stale]")).ToHaveCountAsync(0);

        await page.FillAsync("#body", "Notes of fig, cocoa and hazelnut.");
        await page.ClickAsync("#save");
        // The hand edit will not carry the change: the editor says so and asks first.
        await Assertions.Expect(page.Locator("#confirm-save [data-left-behind]")).ToBeVisibleAsync();
        await page.ClickAsync("#confirm-save-button");
        await Assertions.Expect(page.Locator(".alert-ok")).ToContainTextAsync("Saved");
        await Assertions.Expect(variant.Locator("[data-stale]")).ToContainTextAsync("The message changed since your edit");
        // A word diff marks each run of changed words: the hand-written words are among the struck-out runs, the message's new ones among the added.
        await Assertions.Expect(variant.Locator(".diff del", new() { HasText = "Written by hand for X" })).ToHaveCountAsync(1);
        await Assertions.Expect(variant.Locator(".diff ins", new() { HasText = "hazelnut" })).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("variant-diff.png"), FullPage = true });

        await variant.Locator("[data-rerender]").ClickAsync();
        await Assertions.Expect(page.Locator(".alert-ok")).ToContainTextAsync("rendered from the message again");
        await Assertions.Expect(variant.Locator("[data-stale]")).ToHaveCountAsync(0);
        await Assertions.Expect(variant.Locator(".edited-badge")).ToHaveCountAsync(0);
        await Assertions.Expect(preview.Locator("[data-text]")).ToContainTextAsync("hazelnut");
    }

    private static string Screenshot(string name)
    {
        var folder = Path.Combine(Publisher.Testing.RepositoryRoot.Path, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    [Fact]
    public async Task A_saved_message_shows_on_the_calendar_and_links_back_to_its_editor()
    {
        var (playwright, browser, page) = await SignedInMarketerAsync();
        using var _ = playwright;
        await using var __ = browser;
        await page.ClickAsync("#new-message");
        await page.WaitForURLAsync("**/Messages/New");
        var title = "Harvest tasting " + Guid.NewGuid().ToString("N")[..6];
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var tomorrow = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime).AddDays(1);

        await page.FillAsync("#title", title);
        await page.FillAsync("#body", "Taste the new harvest with our roasters.");
        await page.FillAsync("#link", "https://northwind.example/harvest");
        await page.FillAsync("#planned", tomorrow.ToString("yyyy-MM-dd") + "T10:30");
        await Assertions.Expect(page.Locator("#zone")).ToHaveValueAsync("Europe/Paris");
        await page.ClickAsync("#save");
        await page.WaitForURLAsync("**/Messages/Edit/**");
        await Assertions.Expect(page.Locator(".alert-ok")).ToContainTextAsync("Saved");
        var editUrl = page.Url;

        await page.GotoAsync($"{site.BaseUrl}/Calendar?week={tomorrow:yyyy-MM-dd}");
        var link = page.Locator(".message-group h3 a", new PageLocatorOptions { HasText = title });
        await Assertions.Expect(link).ToHaveCountAsync(1);
        var group = page.Locator(".message-group", new PageLocatorOptions { Has = page.Locator("h3 a", new PageLocatorOptions { HasText = title }) });
        await Assertions.Expect(group.Locator("time").First).ToHaveTextAsync("10:30");
        await Assertions.Expect(group.Locator(".state").First).ToHaveTextAsync("draft");
        await link.ClickAsync();
        await page.WaitForURLAsync(editUrl);
        await Assertions.Expect(page.Locator("#title")).ToHaveValueAsync(title);
        await Assertions.Expect(page.Locator(".preview-card[data-kind='X'] [data-counter]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+/280$"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("message-edit.png"), FullPage = true });
    }

    [Fact]
    public async Task The_email_and_blog_previews_show_the_rendered_html_in_a_sandboxed_frame_under_a_strict_policy()
    {
        var (playwright, browser, page) = await SignedInMarketerAsync();
        using var _ = playwright;
        await using var __ = browser;
        var editorPolicy = (await page.GotoAsync(site.BaseUrl + "/Messages/New"))!.Headers["content-security-policy"];
        var frames = new List<IResponse>();
        page.Response += (_, response) => { if (response.Url.Contains("/api/render/html/")) frames.Add(response); };
        var title = "Harvest letter " + Guid.NewGuid().ToString("N")[..6];

        await page.FillAsync("#title", title);
        await page.FillAsync("#body", "Taste the **new harvest** with our roasters.");
        foreach (var kind in new[] { "Email", "Blog" })
        {
            await page.Locator($"label.check:has(.channel-{kind.ToLowerInvariant()}) input").First.CheckAsync();
        }

        foreach (var kind in new[] { "Email", "Blog" })
        {
            var card = page.Locator($".preview-card[data-kind='{kind}']");
            var frame = card.Locator("iframe.html-preview:not(.loading)");
            await Assertions.Expect(frame).ToBeVisibleAsync();
            Assert.Equal("", await frame.GetAttributeAsync("sandbox")); // no scripts, no same origin, no forms
            // The document itself, as it will go out: the title as a heading, the body's Markdown as HTML.
            var document = card.FrameLocator("iframe.html-preview:not(.loading)");
            await Assertions.Expect(document.Locator("h1", new FrameLocatorLocatorOptions { HasText = title })).ToBeVisibleAsync();
            await Assertions.Expect(document.Locator("strong", new FrameLocatorLocatorOptions { HasText = "new harvest" })).ToBeVisibleAsync();
            // The plain text is folded below the frame, not shown instead of it.
            await Assertions.Expect(card.Locator("[data-text-part]")).Not.ToHaveAttributeAsync("open", "");
        }

        Assert.NotEmpty(frames);
        foreach (var response in frames)
        {
            var policy = response.Headers["content-security-policy"];
            Assert.Contains("default-src 'none'", policy);
            Assert.Contains("sandbox", policy);
            Assert.DoesNotContain("script-src", policy);
            Assert.Equal("SAMEORIGIN", response.Headers["x-frame-options"]);
        }
        // The editor's own policy is as strict as before: no inline script, frames only from the app itself.
        Assert.Contains("script-src 'self'", editorPolicy);
        Assert.DoesNotContain("unsafe-inline", editorPolicy.Split(';').Single(d => d.Trim().StartsWith("script-src")));

        // Somebody else's preview address is not a way in: signed out, it answers nothing.
        var anonymous = await browser.NewContextAsync();
        var leaked = await anonymous.APIRequest.GetAsync(frames[0].Url, new() { MaxRedirects = 0 });
        Assert.NotEqual(200, leaked.Status);
    }

    [Fact]
    public async Task The_reading_ease_suggestion_marks_the_hard_sentences_not_the_whole_body()
    {
        var (playwright, browser, page) = await SignedInMarketerAsync();
        using var _ = playwright;
        await using var __ = browser;
        await page.GotoAsync(site.BaseUrl + "/Messages/New");
        // The body as a whole is far under the guide's floor of 50 (about 2), not near it, so the test does not hang
        // on how a template frames the body; only the one long, hard sentence is under the floor by itself.
        const string hard = "Organisational considerations notwithstanding, comprehensive sustainability initiatives necessitate interdisciplinary collaboration between agricultural cooperatives, international certification authorities and environmentally conscientious manufacturers.";
        const string easy = "We roast on Tuesdays. Your beans ship the same day. They taste best in a week.";

        await page.FillAsync("#title", "Reading ease");
        await page.FillAsync("#body", $"{easy} {hard} {easy}");
        await page.Locator("label.check:has(.channel-linkedin) input").First.CheckAsync();
        var linkedIn = page.Locator(".preview-card[data-kind='LinkedIn']");
        var marks = linkedIn.Locator("mark[data-rule='readability']");

        await Assertions.Expect(marks).ToHaveCountAsync(1);
        await Assertions.Expect(marks).ToHaveTextAsync(hard);
        await Assertions.Expect(linkedIn.Locator(".finding-item[data-rule='readability']")).ToContainTextAsync("Reading ease");
        // The easy sentences around it are plain text.
        await Assertions.Expect(linkedIn.Locator("[data-text]")).ToContainTextAsync("We roast on Tuesdays.");
        Assert.DoesNotContain("Tuesdays", await marks.InnerTextAsync());
    }

    [Fact]
    public async Task A_one_click_fix_keeps_the_keyboard_in_place_and_screen_readers_hear_only_count_changes()
    {
        var (playwright, browser, page) = await SignedInMarketerAsync();
        using var _ = playwright;
        await using var __ = browser;
        await page.GotoAsync(site.BaseUrl + "/Messages/New");
        var x = page.Locator(".preview-card[data-kind='X']");
        // Only the summary is a live region while nothing uploads (the upload's own status is hidden until then);
        // the previews themselves are not announced.
        Assert.Null(await page.Locator("#previews").GetAttributeAsync("aria-live"));
        Assert.Equal(1, await page.Locator(".editor [aria-live]:not([hidden]), .editor [role=status]:not([hidden])").CountAsync());
        var summary = page.Locator("#preview-summary");

        await page.FillAsync("#title", "Autumn Blend");
        await page.FillAsync("#body", "Our beans are cheap. Come in order to taste them.");
        await Assertions.Expect(x.Locator("mark.finding-suggestion[data-rule='plain-words']")).ToHaveTextAsync("in order to");
        await Assertions.Expect(summary).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ previews?: .*error"));
        var said = await summary.TextContentAsync();

        // Typing that changes no count changes nothing that is announced.
        await page.EvaluateAsync("() => { window.announced = 0; new MutationObserver(() => window.announced++).observe(document.getElementById('preview-summary'), { childList: true, characterData: true, subtree: true }); }");
        await page.Locator("#body").PressSequentiallyAsync(" Fresh", new() { Delay = 30 });
        await Assertions.Expect(x.Locator("[data-text]")).ToContainTextAsync("taste them. Fresh");
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.announced"));
        Assert.Equal(said, await summary.TextContentAsync());

        // A fix from the keyboard: focus moves to the next fix in the card, not to the page's body.
        await x.Locator(".finding-item[data-rule='plain-words'] button.fix").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(x.Locator("mark[data-rule='plain-words']")).ToHaveCountAsync(0);
        await Assertions.Expect(x.Locator("button.fix").First).ToBeFocusedAsync();
        Assert.Equal("Our beans are cheap. Come to taste them. Fresh", await page.InputValueAsync("#body"));

        // The last fix leaves the keyboard in the field it changed.
        while (await x.Locator("button.fix").CountAsync() > 0)
        {
            var before = await x.Locator("button.fix").CountAsync();
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(x.Locator("button.fix")).ToHaveCountAsync(before - 1);
        }
        await Assertions.Expect(page.Locator("#body")).ToBeFocusedAsync();
    }
}
