using Microsoft.Extensions.Options;
using Publisher.Core.Analytics;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Testing;

namespace Publisher.Core.Tests.Analytics;

/// <summary>
/// The dashboard's clicks read from the day, hour and account-hour rollups agree with the clicks themselves, for local
/// days of a zone that do not start at UTC midnight (the range's partial first and last UTC days come from the hours).
/// </summary>
[Collection(PostgresCollection.Name)]
public class AnalyticsReportTests(PostgresServer postgres) : IAsyncLifetime
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    private string _db = "";
    private AnalyticsDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _db = await postgres.CreateMigratedDatabaseAsync("report");
        _database = new AnalyticsDatabase(_db);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Clicks_of_local_days_are_counted_exactly_from_whole_UTC_days_and_the_partial_days_hours()
    {
        Guid account, variant, other;
        await using (var db = PostgresServer.NewContext(_db))
        {
            var user = new AppUser { UserName = $"u{Guid.NewGuid():N}", Email = $"{Guid.NewGuid():N}@example.test", DisplayName = "Writer" };
            var mastodon = new ChannelAccount { Name = "Mastodon", Kind = "Mastodon" };
            var message = new Message { Title = "Autumn Blend", BodyMarkdown = "Notes of fig.", AuthorId = user.Id, TimeZone = "Europe/Paris" };
            var another = new Message { Title = "Winter Blend", BodyMarkdown = "Notes of plum.", AuthorId = user.Id, TimeZone = "Europe/Paris" };
            var first = new Variant { MessageId = message.Id, ChannelAccountId = mastodon.Id };
            var second = new Variant { MessageId = another.Id, ChannelAccountId = mastodon.Id };
            db.AddRange(user, mastodon, message, another, first, second);
            await db.SaveChangesAsync();
            (account, variant, other) = (mastodon.Id, first.Id, second.Id);
        }

        // Five Paris days ending a week ago: from 23:00 or 22:00 UTC the day before the first to the same hour of the last.
        var from = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-12));
        var to = from.AddDays(4);
        var filter = new ReportFilter(from, to, Paris);
        var (start, end) = filter.Range;
        Assert.NotEqual(0, start.UtcDateTime.Hour); // the range does not start on a UTC day: the test covers partial days

        // Clicks every 5 hours from two days before to two days after, on two variants, some of them previews.
        var clicks = new List<Click>();
        for (var at = start.AddDays(-2).AddMinutes(7); at < end.AddDays(2); at = at.AddHours(5))
        {
            var n = clicks.Count;
            clicks.Add(new Click
            {
                Id = Guid.CreateVersion7(), At = at, Code = "AAAAAAAAAA", VariantId = n % 3 == 0 ? other : variant, ChannelAccountId = account, Device = 1,
                VisitorHash = n % 4, IsPreview = n % 7 == 0,
            });
        }
        // Right on the range's edges: the first instant is in, the end is out.
        clicks.Add(new Click { Id = Guid.CreateVersion7(), At = start, Code = "AAAAAAAAAA", VariantId = variant, ChannelAccountId = account, Device = 1 });
        clicks.Add(new Click { Id = Guid.CreateVersion7(), At = end, Code = "AAAAAAAAAA", VariantId = variant, ChannelAccountId = account, Device = 1 });
        await using (var db = PostgresServer.NewContext(_db))
        {
            db.Clicks.AddRange(clicks);
            await db.SaveChangesAsync();
        }
        var rollups = new AnalyticsRollups(_database, Options.Create(new AnalyticsOptions { SettleDelay = TimeSpan.Zero, RollupBatchSize = 7 }),
            Options.Create(new PublishingOptions()), TimeProvider.System);
        Assert.True((await rollups.CatchUpAsync(TimeSpan.FromMinutes(2))).CaughtUp);

        var inRange = clicks.Where(c => c.At >= start && c.At < end && !c.IsPreview).ToList();
        var report = new AnalyticsReport(_database);

        var channel = Assert.Single(await report.ChannelsAsync(filter), r => r.AccountId == account);
        Assert.Equal(inRange.Count, channel.Figures.Clicks);
        Assert.Equal(clicks.Count(c => c.At >= start && c.At < end && c.IsPreview), channel.Figures.Previews);

        var variants = (await report.VariantsAsync(filter)).ToDictionary(r => r.Id!.Value, r => r.Figures.Clicks);
        Assert.Equal(inRange.Count(c => c.VariantId == variant), variants[variant]);
        Assert.Equal(inRange.Count(c => c.VariantId == other), variants[other]);

        var daily = await report.DailyAsync(filter, null, Publisher.Analytics.Attribution.AttributionModel.LastTouch);
        foreach (var day in Publisher.Analytics.Time.LocalDays.Each(from, to))
        {
            var expected = inRange.Count(c => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(c.At, Paris).DateTime) == day);
            Assert.Equal(expected, daily.Where(d => d.Day == day).Sum(d => d.Value));
        }

        // All-time figures (the calendar, the variant page, the best-time grid) agree with every click.
        var allTime = await report.ClicksAsync([variant, other]);
        Assert.Equal(clicks.Count(c => c.VariantId == variant && !c.IsPreview), allTime[variant]);
        Assert.Equal(clicks.Count(c => c.VariantId == other && !c.IsPreview), allTime[other]);
        Assert.Equal(clicks.Count(c => c.VariantId == other && !c.IsPreview), (await report.VariantAsync(other)).Figures.Clicks);
        var (weekly, _, _) = await report.WeeklyAsync(account, Paris);
        Assert.Equal(clicks.Count(c => !c.IsPreview), weekly.Cast<long>().Sum());
    }
}
