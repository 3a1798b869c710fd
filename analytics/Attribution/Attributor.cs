namespace Publisher.Analytics.Attribution;

/// <summary>
/// The attribution models, as one pure function: visits and conversions, and the touches of the people who made
/// them, in; the credit each channel (and variant and campaign) earns under each model out. The dashboard's rollups,
/// the CSV export and the API all come from it.
/// </summary>
/// <remarks>
/// Rules: a touch counts for an event when it happened at or before the event and no more than the lookback window
/// before it. Touches are taken in time order, ties by id. An event with no person, or no touch in the window,
/// is credited whole to "direct / unknown" under every model: it is shown, never dropped. Each event is credited
/// on its own: a person's second sale is credited with the touches before it, whatever the first one got.
/// </remarks>
public static class Attributor
{
    private static readonly Comparison<Touch> InOrder = (a, b) =>
    {
        var byTime = a.At.CompareTo(b.At);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.Id, b.Id);
    };

    /// <summary>Credits every event in <paramref name="events"/> under every model in <paramref name="models"/> (default: all four).</summary>
    public static IReadOnlyList<Credit> Credit(IEnumerable<Touch> touches, IEnumerable<AttributableEvent> events, AttributionSettings settings,
        IReadOnlyList<AttributionModel>? models = null)
    {
        models ??= AttributionModels.All;
        var byPerson = new Dictionary<string, Touch[]>(StringComparer.Ordinal);
        foreach (var group in touches.GroupBy(t => t.PersonId, StringComparer.Ordinal))
        {
            var sorted = group.ToArray();
            Array.Sort(sorted, InOrder);
            byPerson[group.Key] = sorted;
        }

        var credits = new List<Credit>();
        foreach (var e in events)
        {
            var window = e.PersonId is { } person && byPerson.TryGetValue(person, out var personTouches)
                ? Window(personTouches, e.At - settings.Lookback, e.At)
                : default;
            foreach (var model in models)
                AddCredits(credits, e, model, window);
        }
        return credits;
    }

    /// <summary>The touches in [<paramref name="from"/>, <paramref name="to"/>] of a sorted list.</summary>
    private static ReadOnlyMemory<Touch> Window(Touch[] sorted, DateTimeOffset from, DateTimeOffset to)
    {
        var start = LowerBound(sorted, from, inclusive: true);
        var end = LowerBound(sorted, to, inclusive: false);
        return end > start ? sorted.AsMemory(start, end - start) : default;
    }

    // The first index whose time is >= at (inclusive) or > at (not inclusive).
    private static int LowerBound(Touch[] sorted, DateTimeOffset at, bool inclusive)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var mid = (low + high) / 2;
            var before = inclusive ? sorted[mid].At < at : sorted[mid].At <= at;
            if (before) low = mid + 1;
            else high = mid;
        }
        return low;
    }

    private static void AddCredits(List<Credit> credits, AttributableEvent e, AttributionModel model, ReadOnlyMemory<Touch> window)
    {
        var touches = window.Span;
        if (touches.Length == 0)
        {
            credits.Add(new Credit(e, model, Channel.Direct, null, null, 1.0, null));
            return;
        }
        void Give(Touch t, double share) => credits.Add(new Credit(e, model, t.Channel, t.VariantId, t.CampaignId, share, t.Id));
        var n = touches.Length;
        switch (model)
        {
            case AttributionModel.FirstTouch:
                Give(touches[0], 1.0);
                break;
            case AttributionModel.LastTouch:
                Give(touches[n - 1], 1.0);
                break;
            case AttributionModel.Linear:
                foreach (var t in touches)
                    Give(t, 1.0 / n);
                break;
            default:
                if (n == 1)
                {
                    Give(touches[0], 1.0);
                }
                else if (n == 2)
                {
                    Give(touches[0], 0.5);
                    Give(touches[1], 0.5);
                }
                else
                {
                    Give(touches[0], 0.4);
                    for (var i = 1; i < n - 1; i++)
                        Give(touches[i], 0.2 / (n - 2));
                    Give(touches[n - 1], 0.4);
                }
                break;
        }
    }
}
