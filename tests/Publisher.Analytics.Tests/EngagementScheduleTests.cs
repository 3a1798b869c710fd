using Publisher.Analytics.Engagement;

namespace Publisher.Analytics.Tests;

public class EngagementScheduleTests
{
    private static readonly DateTimeOffset Published = new(2026, 3, 29, 0, 30, 0, TimeSpan.Zero);

    [Fact]
    public void The_first_reading_is_due_an_hour_after_publishing()
    {
        Assert.Equal(Published.AddHours(1), EngagementSchedule.NextReading(Published, null));
        Assert.False(EngagementSchedule.IsDue(Published, null, Published.AddMinutes(59)));
        Assert.True(EngagementSchedule.IsDue(Published, null, Published.AddHours(1)));
    }

    [Theory]
    [InlineData(1.5, 6)]        // read after the 1 h point: next at 6 h
    [InlineData(6, 24)]         // read exactly at 6 h: that point is taken
    [InlineData(30, 24 * 7)]
    [InlineData(24 * 8, 24 * 30)]
    public void Each_reading_moves_on_to_the_next_point(double readAfterHours, double nextAfterHours)
    {
        Assert.Equal(Published.AddHours(nextAfterHours), EngagementSchedule.NextReading(Published, Published.AddHours(readAfterHours)));
    }

    [Fact]
    public void A_worker_down_for_days_takes_one_reading_for_the_points_it_missed()
    {
        var now = Published.AddDays(8);
        Assert.True(EngagementSchedule.IsDue(Published, null, now));
        // After that one reading, nothing is due until the 30-day point.
        Assert.False(EngagementSchedule.IsDue(Published, now, now.AddDays(1)));
        Assert.Equal(Published.AddDays(30), EngagementSchedule.NextReading(Published, now));
    }

    [Fact]
    public void After_the_30_day_reading_a_post_is_left_alone()
    {
        Assert.Null(EngagementSchedule.NextReading(Published, Published.AddDays(30)));
        Assert.False(EngagementSchedule.IsDue(Published, Published.AddDays(31), Published.AddDays(400)));
    }
}
