using Publisher.Core.Publishing;

namespace Publisher.Core.Tests.Publishing;

public class PostingSlotsTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute = 0) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void Weekdays_and_days_with_several_times_expand_into_slots_in_week_order()
    {
        var (slots, errors) = PostingSlots.Parse("Sat 10:30, weekdays 09:00 13:00\nmonday 9:00");

        Assert.Empty(errors);
        Assert.Equal(["Mon 09:00", "Mon 13:00", "Tue 09:00", "Tue 13:00", "Wed 09:00", "Wed 13:00", "Thu 09:00", "Thu 13:00", "Fri 09:00", "Fri 13:00", "Sat 10:30"],
            slots.Select(s => s.ToString()));
    }

    [Theory]
    [InlineData("Mon", "\"Mon\" is not a posting slot")]
    [InlineData("Someday 09:00", "\"Someday 09:00\" is not a posting slot")]
    [InlineData("Mon 25:00", "\"25:00\" in \"Mon 25:00\" is not a time")]
    [InlineData("Tue 9am", "\"9am\" in \"Tue 9am\" is not a time")]
    public void An_entry_that_cannot_be_read_says_what_to_write(string text, string expected)
    {
        var (_, errors) = PostingSlots.Parse(text);

        Assert.Contains(expected, Assert.Single(errors));
    }

    [Fact]
    public void A_nine_oclock_slot_stays_at_nine_local_across_the_spring_change()
    {
        var slots = PostingSlots.Parse("daily 09:00").Slots;
        // Friday 26 March 2027, 10:00 in Paris (UTC+1); the clocks go forward on Sunday the 28th.
        var after = Utc(2027, 3, 26, 9);
        var taken = new HashSet<DateTimeOffset> { Utc(2027, 3, 27, 8), Utc(2027, 3, 28, 7) };

        var next = PostingSlots.NextFree(slots, Paris, after, taken);

        // Saturday (08:00 UTC) and Sunday (07:00 UTC, already summer time) are taken: Monday 09:00 is 07:00 UTC.
        Assert.Equal(Utc(2027, 3, 29, 7), next);
        Assert.Equal(new TimeOnly(9, 0), TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(next!.Value, Paris).DateTime));
    }

    [Fact]
    public void A_nine_oclock_slot_stays_at_nine_local_across_the_autumn_change()
    {
        var slots = PostingSlots.Parse("Sun 09:00, Mon 09:00").Slots;
        // The clocks go back on Sunday 31 October 2027 at 03:00: 09:00 that day is UTC+1.
        var next = PostingSlots.NextFree(slots, Paris, Utc(2027, 10, 30, 12), new HashSet<DateTimeOffset>());

        Assert.Equal(Utc(2027, 10, 31, 8), next);
    }

    [Fact]
    public void A_slot_in_the_hour_the_clocks_skip_is_skipped_that_day_and_a_repeated_hour_is_taken_the_first_time()
    {
        var slots = PostingSlots.Parse("Sun 02:30").Slots;

        var spring = PostingSlots.NextFree(slots, Paris, Utc(2027, 3, 27, 12), new HashSet<DateTimeOffset>());
        Assert.Equal(Utc(2027, 4, 4, 0, 30), spring); // 28 March has no 02:30; the next Sunday's is UTC+2

        var autumnSlots = PostingSlots.Parse("Sun 02:30").Slots;
        var autumn = PostingSlots.NextFree(autumnSlots, Paris, Utc(2027, 10, 30, 12), new HashSet<DateTimeOffset>());
        Assert.Equal(Utc(2027, 10, 31, 0, 30), autumn); // the first 02:30 of the night, still summer time
    }

    [Fact]
    public void A_slot_earlier_than_now_today_is_not_offered_and_no_slots_means_none()
    {
        var slots = PostingSlots.Parse("daily 09:00 18:00").Slots;

        Assert.Equal(Utc(2027, 6, 1, 16), PostingSlots.NextFree(slots, Paris, Utc(2027, 6, 1, 10), new HashSet<DateTimeOffset>()));
        Assert.Null(PostingSlots.NextFree([], Paris, Utc(2027, 6, 1, 10), new HashSet<DateTimeOffset>()));
    }
}
