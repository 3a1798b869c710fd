using Publisher.Analytics.Events;
using Publisher.Analytics.Links;
using Publisher.Analytics.Privacy;
using Publisher.Analytics.Traffic;

namespace Publisher.Analytics.Tests;

public class TrafficAndPrivacyTests
{
    [Theory]
    [InlineData("Twitterbot/1.0")]
    [InlineData("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)")]
    [InlineData("LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)")]
    [InlineData("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)")]
    [InlineData("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)")]
    [InlineData("TelegramBot (like TwitterBot)")]
    [InlineData("WhatsApp/2.23.20.0")]
    [InlineData("Mastodon/4.3.2 (http.rb/5.2.0; +https://mastodon.social/)")]
    [InlineData("Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)")]
    [InlineData("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")]
    [InlineData("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)")]
    [InlineData("curl/8.5.0")]
    [InlineData("python-requests/2.31.0")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36")]
    [InlineData("")]
    public void Preview_fetchers_crawlers_and_scripts_are_previews(string agent)
    {
        var verdict = TrafficClassifier.Classify("GET", agent);
        Assert.True(verdict.IsPreview);
        Assert.Equal(DeviceClass.Bot, verdict.Device);
    }

    [Theory]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", DeviceClass.Mobile)]
    [InlineData("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36", DeviceClass.Mobile)]
    [InlineData("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", DeviceClass.Tablet)]
    [InlineData("Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36", DeviceClass.Tablet)]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36", DeviceClass.Desktop)]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0", DeviceClass.Desktop)]
    public void People_in_browsers_are_clicks_with_their_device_class(string agent, DeviceClass device)
    {
        var verdict = TrafficClassifier.Classify("GET", agent);
        Assert.False(verdict.IsPreview);
        Assert.Equal(device, verdict.Device);
    }

    [Fact]
    public void Head_requests_and_prefetches_from_a_browser_are_previews()
    {
        const string chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
        Assert.True(TrafficClassifier.Classify("HEAD", chrome).IsPreview);
        Assert.True(TrafficClassifier.Classify("GET", chrome, purpose: "prefetch;prerender").IsPreview);
        Assert.Equal(DeviceClass.Desktop, TrafficClassifier.Classify("HEAD", chrome).Device);
        Assert.Equal(DeviceClass.Mobile, TrafficClassifier.DeviceOf(chrome, mobileHint: "?1"));
    }

    [Fact]
    public void The_visitor_hash_is_stable_within_a_day_and_unlinkable_across_days()
    {
        var today = VisitorHash.NewSalt();
        var tomorrow = VisitorHash.NewSalt();
        var a = VisitorHash.Compute(today, "203.0.113.7", "Firefox");
        Assert.Equal(a, VisitorHash.Compute(today, "203.0.113.7", "Firefox"));
        Assert.NotEqual(a, VisitorHash.Compute(today, "203.0.113.8", "Firefox"));
        Assert.NotEqual(a, VisitorHash.Compute(today, "203.0.113.7", "Chrome"));
        Assert.NotEqual(a, VisitorHash.Compute(tomorrow, "203.0.113.7", "Firefox"));
    }

    [Theory]
    [InlineData("1", null, true)]
    [InlineData(null, "1", true)]
    [InlineData("0", null, false)]
    [InlineData(null, null, false)]
    public void Do_not_track_and_global_privacy_control_opt_out(string? dnt, string? gpc, bool optedOut) =>
        Assert.Equal(optedOut, PrivacySignals.OptedOut(dnt, gpc));

    [Fact]
    public void A_session_ends_after_thirty_idle_minutes()
    {
        var t = new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);
        Assert.True(SessionRules.StartsSession(null, t));
        Assert.False(SessionRules.StartsSession(t, t.AddMinutes(29).AddSeconds(59)));
        Assert.True(SessionRules.StartsSession(t, t.AddMinutes(30)));
    }
}

public class LinkTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void A_link_keeps_its_code_in_its_variant_and_gets_another_in_another_variant_or_with_another_destination()
    {
        var variant = Guid.Parse("0195f0a2-0000-7000-8000-000000000001");
        var code = LinkCodes.For(Key, variant, "https://northwind.example/autumn?utm_source=x");
        Assert.Equal(code, LinkCodes.For(Key, variant, "https://northwind.example/autumn?utm_source=x"));
        Assert.Equal(LinkCodes.Length, code.Length);
        Assert.True(LinkCodes.IsWellFormed(code));
        Assert.NotEqual(code, LinkCodes.For(Key, Guid.Parse("0195f0a2-0000-7000-8000-000000000002"), "https://northwind.example/autumn?utm_source=x"));
        Assert.NotEqual(code, LinkCodes.For(Key, variant, "https://northwind.example/autumn?utm_source=mastodon"));
        Assert.NotEqual(code, LinkCodes.For(Key.Reverse().ToArray(), variant, "https://northwind.example/autumn?utm_source=x"));

        Assert.Equal("https://go.example/l/" + code, LinkCodes.ShortUrl("https://go.example/", code));
        Assert.Equal(code, LinkCodes.CodeOf("https://go.example", "https://go.example/l/" + code));
        Assert.Null(LinkCodes.CodeOf("https://go.example", "https://elsewhere.example/l/" + code));
        Assert.False(LinkCodes.IsWellFormed("../../etc"));
        Assert.False(LinkCodes.IsWellFormed("abc"));
    }

    [Fact]
    public void A_click_id_survives_its_short_form_and_is_added_to_a_destination_before_its_fragment()
    {
        var id = ClickIds.New();
        var text = ClickIds.Format(id);
        Assert.Equal(22, text.Length);
        Assert.True(ClickIds.TryParse(text, out var back));
        Assert.Equal(id, back);
        Assert.True(ClickIds.TryParse(id.ToString(), out back));
        Assert.Equal(id, back);
        Assert.False(ClickIds.TryParse("not-a-click", out _));

        Assert.Equal("https://a.example/p?pcid=X", ClickIds.AddTo("https://a.example/p", "X"));
        Assert.Equal("https://a.example/p?utm_source=x&pcid=X#top", ClickIds.AddTo("https://a.example/p?utm_source=x#top", "X"));
        Assert.Equal("https://a.example/p?a=1&pcid=X", ClickIds.AddTo("https://a.example/p?a=1&pcid=old", "X"));
    }
}

public class BestTimeTests
{
    [Fact]
    public void The_best_hours_without_a_slot_are_suggested_best_first()
    {
        var clicks = new long[7, 24];
        var engagement = new long[7, 24];
        clicks[(int)DayOfWeek.Tuesday, 10] = 50;
        clicks[(int)DayOfWeek.Thursday, 13] = 30;
        engagement[(int)DayOfWeek.Thursday, 13] = 25;   // 55 in all: best
        clicks[(int)DayOfWeek.Monday, 9] = 40;          // already a slot
        clicks[(int)DayOfWeek.Saturday, 11] = 10;
        clicks[(int)DayOfWeek.Sunday, 11] = 10;         // ties with Saturday: Saturday comes first in the week
        var scores = Scheduling.BestTimes.Scores(clicks, engagement);

        var suggested = Scheduling.BestTimes.Suggest(scores, [new Scheduling.WeekHour(DayOfWeek.Monday, 9)], count: 3);

        Assert.Equal([new(DayOfWeek.Thursday, 13), new(DayOfWeek.Tuesday, 10), new(DayOfWeek.Saturday, 11)], suggested);
        Assert.Empty(Scheduling.BestTimes.Suggest(new long[7, 24], []));
        Assert.Equal(4, Scheduling.BestTimes.Level(55, 55));
        Assert.Equal(1, Scheduling.BestTimes.Level(1, 55));
        Assert.Equal(0, Scheduling.BestTimes.Level(0, 55));
    }
}
