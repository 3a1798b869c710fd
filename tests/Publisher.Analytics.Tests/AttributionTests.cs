using Publisher.Analytics.Attribution;
using Publisher.Analytics.Events;
using Publisher.Analytics.Time;

namespace Publisher.Analytics.Tests;

/// <summary>Journeys worked out by hand, and the credit each model must give.</summary>
public class AttributionTests
{
    private static readonly Guid XAccount = Guid.Parse("00000000-0000-0000-0000-0000000000a1");
    private static readonly Guid EmailAccount = Guid.Parse("00000000-0000-0000-0000-0000000000a2");
    private static readonly Guid MastodonAccount = Guid.Parse("00000000-0000-0000-0000-0000000000a3");
    private static readonly Channel X = Channel.Account(XAccount);
    private static readonly Channel Email = Channel.Account(EmailAccount);
    private static readonly Channel Mastodon = Channel.Account(MastodonAccount);
    private static readonly DateTimeOffset Day0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private static Touch Click(string id, Channel channel, DateTimeOffset at, string person = "ann", Guid? variant = null) => new(id, person, at, channel, variant);

    private static AttributableEvent Sale(string id, DateTimeOffset at, decimal value, string? person = "ann") => new(id, person, at, ConversionKind.Sale, value, "EUR");

    private static Dictionary<string, double> Shares(IEnumerable<Credit> credits, AttributionModel model, string eventId) =>
        credits.Where(c => c.Model == model && c.Event.Id == eventId)
            .GroupBy(c => c.Channel.Key).ToDictionary(g => g.Key, g => g.Sum(c => c.Share));

    [Fact]
    public void A_single_click_before_a_sale_gets_all_of_it_under_every_model()
    {
        var credits = Attributor.Credit([Click("c1", X, Day0)], [Sale("s1", Day0.AddHours(2), 50m)], AttributionSettings.Default);

        Assert.Equal(4, credits.Count);
        foreach (var model in AttributionModels.All)
        {
            var credit = Assert.Single(credits, c => c.Model == model);
            Assert.Equal(X, credit.Channel);
            Assert.Equal(1.0, credit.Share);
            Assert.Equal(50m, credit.Revenue);
            Assert.Equal("c1", credit.TouchId);
        }
    }

    [Fact]
    public void X_then_the_newsletter_then_a_sale_gives_X_the_first_touch_and_the_newsletter_the_last()
    {
        var touches = new[] { Click("c1", X, Day0), Click("c2", Email, Day0.AddDays(2)) };
        var credits = Attributor.Credit(touches, [Sale("s1", Day0.AddDays(3), 80m)], AttributionSettings.Default);

        Assert.Equal(new Dictionary<string, double> { [X.Key] = 1.0 }, Shares(credits, AttributionModel.FirstTouch, "s1"));
        Assert.Equal(new Dictionary<string, double> { [Email.Key] = 1.0 }, Shares(credits, AttributionModel.LastTouch, "s1"));
        Assert.Equal(new Dictionary<string, double> { [X.Key] = 0.5, [Email.Key] = 0.5 }, Shares(credits, AttributionModel.Linear, "s1"));
        // Two touches: position-based splits evenly.
        Assert.Equal(new Dictionary<string, double> { [X.Key] = 0.5, [Email.Key] = 0.5 }, Shares(credits, AttributionModel.PositionBased, "s1"));
        Assert.Equal(40m, credits.Single(c => c.Model == AttributionModel.Linear && c.Channel == Email).Revenue);
    }

    [Fact]
    public void Position_based_gives_forty_percent_to_the_ends_and_shares_twenty_among_the_middle()
    {
        var touches = new[]
        {
            Click("c1", X, Day0), Click("c2", Mastodon, Day0.AddDays(1)), Click("c3", X, Day0.AddDays(2)), Click("c4", Email, Day0.AddDays(3)),
        };
        var credits = Attributor.Credit(touches, [Sale("s1", Day0.AddDays(4), 100m)], AttributionSettings.Default);

        var position = credits.Where(c => c.Model == AttributionModel.PositionBased).ToDictionary(c => c.TouchId!, c => c.Share);
        Assert.Equal(0.4, position["c1"], 12);
        Assert.Equal(0.1, position["c2"], 12);
        Assert.Equal(0.1, position["c3"], 12);
        Assert.Equal(0.4, position["c4"], 12);
        // X has the first and a middle touch: 0.5 of the sale, €50.
        Assert.Equal(50m, credits.Where(c => c.Model == AttributionModel.PositionBased && c.Channel == X).Sum(c => c.Revenue));
        var linear = Shares(credits, AttributionModel.Linear, "s1");
        Assert.Equal(0.5, linear[X.Key], 12);
        Assert.Equal(0.25, linear[Mastodon.Key], 12);
        Assert.Equal(0.25, linear[Email.Key], 12);
    }

    [Fact]
    public void Each_of_two_sales_by_one_visitor_is_credited_with_the_touches_before_it()
    {
        var touches = new[] { Click("c1", X, Day0), Click("c2", Email, Day0.AddDays(4)) };
        var sales = new[] { Sale("first-order", Day0.AddDays(1), 30m), Sale("second-order", Day0.AddDays(5), 70m) };
        var credits = Attributor.Credit(touches, sales, AttributionSettings.Default);

        Assert.Equal(new Dictionary<string, double> { [X.Key] = 1.0 }, Shares(credits, AttributionModel.FirstTouch, "first-order"));
        Assert.Equal(new Dictionary<string, double> { [X.Key] = 1.0 }, Shares(credits, AttributionModel.LastTouch, "first-order"));
        Assert.Equal(new Dictionary<string, double> { [X.Key] = 1.0 }, Shares(credits, AttributionModel.FirstTouch, "second-order"));
        Assert.Equal(new Dictionary<string, double> { [Email.Key] = 1.0 }, Shares(credits, AttributionModel.LastTouch, "second-order"));

        decimal Revenue(AttributionModel model, Channel channel) => credits.Where(c => c.Model == model && c.Channel == channel).Sum(c => c.Revenue);
        Assert.Equal(100m, Revenue(AttributionModel.FirstTouch, X));
        Assert.Equal(30m, Revenue(AttributionModel.LastTouch, X));
        Assert.Equal(70m, Revenue(AttributionModel.LastTouch, Email));
        Assert.Equal(0m, Revenue(AttributionModel.FirstTouch, Email));
    }

    [Fact]
    public void Touches_outside_the_lookback_window_do_not_count_and_its_edge_is_included()
    {
        var sale = Sale("s1", Day0.AddDays(40), 20m);
        var touches = new[] { Click("old", X, Day0), Click("edge", Mastodon, Day0.AddDays(10)), Click("recent", Email, Day0.AddDays(35)) };

        var credits = Attributor.Credit(touches, [sale], AttributionSettings.Default);
        // 40 days is outside 30; exactly 30 days before is inside.
        Assert.Equal(new Dictionary<string, double> { [Mastodon.Key] = 1.0 }, Shares(credits, AttributionModel.FirstTouch, "s1"));
        Assert.Equal(new Dictionary<string, double> { [Email.Key] = 1.0 }, Shares(credits, AttributionModel.LastTouch, "s1"));

        var longer = Attributor.Credit(touches, [sale], new AttributionSettings(TimeSpan.FromDays(45)));
        Assert.Equal(new Dictionary<string, double> { [X.Key] = 1.0 }, Shares(longer, AttributionModel.FirstTouch, "s1"));

        var shorter = Attributor.Credit(touches, [sale], new AttributionSettings(TimeSpan.FromDays(3)));
        Assert.All(shorter, c => Assert.True(c.Channel.IsDirect, $"{c.Model} credited {c.Channel} although every touch is more than 3 days old"));
    }

    [Fact]
    public void A_touch_after_the_conversion_is_not_credited_for_it()
    {
        var credits = Attributor.Credit([Click("before", X, Day0), Click("after", Email, Day0.AddHours(3))], [Sale("s1", Day0.AddHours(1), 10m)], AttributionSettings.Default);
        Assert.All(credits, c => Assert.Equal(X, c.Channel));
    }

    [Fact]
    public void A_conversion_without_any_touch_is_direct_or_unknown_under_every_model_and_is_kept()
    {
        var credits = Attributor.Credit([Click("c1", X, Day0, person: "bob")],
            [Sale("nobody-known", Day0.AddDays(1), 15m, person: null), Sale("ann-untouched", Day0.AddDays(1), 25m, person: "ann")],
            AttributionSettings.Default);

        Assert.Equal(8, credits.Count);
        Assert.All(credits, c =>
        {
            Assert.True(c.Channel.IsDirect);
            Assert.Equal(1.0, c.Share);
            Assert.Null(c.TouchId);
        });
        Assert.Equal(40m, credits.Where(c => c.Model == AttributionModel.LastTouch).Sum(c => c.Revenue));
    }

    [Fact]
    public void Touches_at_the_same_instant_are_ordered_by_their_id_whatever_order_they_come_in()
    {
        var same = Day0.AddHours(5);
        var touches = new[] { Click("b-click", Email, same), Click("a-click", X, same), Click("c-click", Mastodon, same) };
        var sale = Sale("s1", Day0.AddDays(1), 90m);

        var forward = Attributor.Credit(touches, [sale], AttributionSettings.Default);
        var backward = Attributor.Credit(touches.Reverse(), [sale], AttributionSettings.Default);

        Assert.Equal(new Dictionary<string, double> { [X.Key] = 1.0 }, Shares(forward, AttributionModel.FirstTouch, "s1"));
        Assert.Equal(new Dictionary<string, double> { [Mastodon.Key] = 1.0 }, Shares(forward, AttributionModel.LastTouch, "s1"));
        Assert.Equal(forward.Select(c => (c.Model, c.TouchId, c.Share)), backward.Select(c => (c.Model, c.TouchId, c.Share)));
        // A touch at the very instant of the conversion counts.
        var atOnce = Attributor.Credit([Click("z", X, sale.At)], [sale], AttributionSettings.Default);
        Assert.All(atOnce, c => Assert.Equal(X, c.Channel));
    }

    [Fact]
    public void A_visit_tagged_with_utm_from_elsewhere_credits_its_source_as_another_channel()
    {
        var newsletterOfAPartner = new Touch("visit-1", "ann", Day0, Channel.Other(" Partner-Letter "));
        var credits = Attributor.Credit([newsletterOfAPartner, Click("c1", X, Day0.AddDays(1))],
            [new AttributableEvent("contact-1", "ann", Day0.AddDays(2), ConversionKind.Contact)], AttributionSettings.Default);

        var first = Assert.Single(credits, c => c.Model == AttributionModel.FirstTouch);
        Assert.Equal("other:partner-letter", first.Channel.Key);
        Assert.Equal("partner-letter", first.Channel.OtherSource);
        Assert.Equal(0m, first.Revenue); // a contact has no revenue
        Assert.Equal(X, Assert.Single(credits, c => c.Model == AttributionModel.LastTouch).Channel);
    }

    [Fact]
    public void Every_event_hands_out_exactly_one_whole_credit_per_model()
    {
        var random = new Random(14);
        var channels = new[] { X, Email, Mastodon, Channel.Other("google") };
        var people = Enumerable.Range(0, 40).Select(i => $"p{i}").ToArray();
        var touches = Enumerable.Range(0, 400).Select(i =>
            Click($"t{i}", channels[random.Next(channels.Length)], Day0.AddMinutes(random.Next(60 * 24 * 60)), people[random.Next(people.Length)])).ToList();
        var events = Enumerable.Range(0, 300).Select(i =>
            new AttributableEvent($"e{i}", random.Next(10) == 0 ? null : people[random.Next(people.Length)], Day0.AddMinutes(random.Next(60 * 24 * 60)),
                (ConversionKind)random.Next(4), random.Next(1000), "EUR")).ToList();

        var credits = Attributor.Credit(touches, events, AttributionSettings.Default);

        foreach (var group in credits.GroupBy(c => (c.Event.Id, c.Model)))
            Assert.Equal(1.0, group.Sum(c => c.Share), 9);
        Assert.Equal(events.Count * 4, credits.GroupBy(c => (c.Event.Id, c.Model)).Count());
        var sales = events.Where(e => e.Kind == ConversionKind.Sale).Sum(e => e.Value);
        foreach (var model in AttributionModels.All)
            Assert.Equal(sales, decimal.Round(credits.Where(c => c.Model == model).Sum(c => c.Revenue), 2));
    }

    [Fact]
    public void On_the_day_the_clocks_go_forward_a_sale_half_an_hour_after_local_midnight_is_the_next_days()
    {
        // Europe/Paris, 29 March 2026: the clocks go from 02:00 to 03:00, so the day lasts 23 hours.
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var (start, end) = LocalDays.Range(new DateOnly(2026, 3, 29), new DateOnly(2026, 3, 29), paris);
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 23, 0, 0, TimeSpan.Zero), start);
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 22, 0, 0, TimeSpan.Zero), end);
        Assert.Equal(TimeSpan.FromHours(23), end - start);

        var click = Click("c1", X, new DateTimeOffset(2026, 3, 29, 8, 0, 0, TimeSpan.Zero));
        var lastMinute = Sale("late", new DateTimeOffset(2026, 3, 29, 21, 59, 0, TimeSpan.Zero), 10m);  // 23:59 in Paris
        var nextDay = Sale("next", new DateTimeOffset(2026, 3, 29, 22, 30, 0, TimeSpan.Zero), 20m);     // 00:30 on 30 March
        var credits = Attributor.Credit([click], [lastMinute, nextDay], AttributionSettings.Default);

        var byDay = credits.Where(c => c.Model == AttributionModel.LastTouch)
            .GroupBy(c => LocalDays.DayOf(c.Event.At, paris)).ToDictionary(g => g.Key, g => g.Sum(c => c.Revenue));
        Assert.Equal(10m, byDay[new DateOnly(2026, 3, 29)]);
        Assert.Equal(20m, byDay[new DateOnly(2026, 3, 30)]);
        // In UTC both fall on 29 March: the zone decides.
        Assert.Equal(LocalDays.DayOf(lastMinute.At, TimeZoneInfo.Utc), LocalDays.DayOf(nextDay.At, TimeZoneInfo.Utc));
    }

    [Fact]
    public void The_day_the_clocks_go_back_lasts_twenty_five_hours()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var (start, end) = LocalDays.Range(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 1), newYork);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 4, 0, 0, TimeSpan.Zero), start);
        Assert.Equal(TimeSpan.FromHours(25), end - start);
        Assert.Equal(new DateOnly(2026, 11, 1), LocalDays.DayOf(end.AddTicks(-1), newYork));
        Assert.Equal(new DateOnly(2026, 11, 2), LocalDays.DayOf(end, newYork));
    }
}
