namespace Publisher.Analytics.Scheduling;

/// <summary>One hour of the week: a weekday and an hour of the day (local time).</summary>
/// <param name="Day">The weekday.</param>
/// <param name="Hour">The hour, 0–23.</param>
public readonly record struct WeekHour(DayOfWeek Day, int Hour);

/// <summary>
/// "Best time to post" from an account's own history: every hour of the week scored by the clicks its links got then
/// and the engagement of the posts it published then; the best hours that are not posting slots yet are suggested.
/// </summary>
public static class BestTimes
{
    /// <summary>The score of each hour of the week: clicks in it plus engagement of posts published in it, indexed [day of week, hour].</summary>
    public static long[,] Scores(long[,] clicks, long[,] engagement)
    {
        var scores = new long[7, 24];
        for (var d = 0; d < 7; d++)
        {
            for (var h = 0; h < 24; h++)
                scores[d, h] = clicks[d, h] + engagement[d, h];
        }
        return scores;
    }

    /// <summary>
    /// Up to <paramref name="count"/> of the highest-scoring hours (score above zero) in which the account has no posting
    /// slot yet, best first; ties go to the earlier hour of the week (Monday first).
    /// </summary>
    public static IReadOnlyList<WeekHour> Suggest(long[,] scores, IEnumerable<WeekHour> slots, int count = 3)
    {
        var taken = slots.ToHashSet();
        var cells = new List<(WeekHour At, long Score)>();
        for (var d = 0; d < 7; d++)
        {
            for (var h = 0; h < 24; h++)
            {
                var at = new WeekHour((DayOfWeek)d, h);
                if (scores[d, h] > 0 && !taken.Contains(at))
                    cells.Add((at, scores[d, h]));
            }
        }
        return cells.OrderByDescending(c => c.Score).ThenBy(c => ((int)c.At.Day + 6) % 7).ThenBy(c => c.At.Hour)
            .Take(count).Select(c => c.At).ToList();
    }

    /// <summary>How dark a cell is drawn, 0 (nothing) to 4 (the busiest hours), by its share of the best hour's score.</summary>
    public static int Level(long score, long max) =>
        score <= 0 || max <= 0 ? 0 : (int)Math.Ceiling(4.0 * score / max) switch { < 1 => 1, > 4 => 4, var n => n };
}
