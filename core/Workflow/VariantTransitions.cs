using Publisher.Core.Domain;

namespace Publisher.Core.Workflow;

/// <summary>
/// The one table of which variant state may follow which. The web app and the worker both go through
/// <see cref="VariantWorkflow"/>, which consults this table, so neither can move a variant anywhere else.
/// </summary>
public static class VariantTransitions
{
    private static readonly Dictionary<VariantState, VariantState[]> Allowed = new()
    {
        [VariantState.Draft] = [VariantState.InReview, VariantState.Canceled],
        [VariantState.InReview] = [VariantState.Approved, VariantState.Rejected, VariantState.Draft, VariantState.Missed, VariantState.Canceled],
        // Approved → InReview: the content changed after approval, which voids it.
        [VariantState.Approved] = [VariantState.Scheduled, VariantState.InReview, VariantState.Draft, VariantState.Missed, VariantState.Canceled],
        [VariantState.Rejected] = [VariantState.Draft, VariantState.InReview, VariantState.Canceled],
        // Scheduled → Failed: the worker refused it at publish time (a style guide error, a switched-off account).
        [VariantState.Scheduled] = [VariantState.Publishing, VariantState.Approved, VariantState.InReview, VariantState.Draft, VariantState.Missed, VariantState.Failed, VariantState.Canceled],
        // Publishing → Scheduled: a transient failure; the job will try again.
        [VariantState.Publishing] = [VariantState.Published, VariantState.Failed, VariantState.NeedsAttention, VariantState.Scheduled],
        [VariantState.Published] = [],
        [VariantState.Failed] = [VariantState.Scheduled, VariantState.Draft, VariantState.Canceled],
        [VariantState.Missed] = [VariantState.Scheduled, VariantState.InReview, VariantState.Draft, VariantState.Canceled],
        // A person decides what happened to a post whose outcome is unknown.
        [VariantState.NeedsAttention] = [VariantState.Published, VariantState.Scheduled, VariantState.Failed, VariantState.Canceled],
        [VariantState.Canceled] = [VariantState.Draft],
    };

    /// <summary>Moves that must say why: the reason is what the author reads.</summary>
    private static readonly HashSet<VariantState> NeedReason =
        [VariantState.Rejected, VariantState.Failed, VariantState.NeedsAttention];

    public static bool IsAllowed(VariantState from, VariantState to) => Allowed[from].Contains(to);

    public static IReadOnlyList<VariantState> From(VariantState from) => Allowed[from];

    public static bool RequiresReason(VariantState to) => NeedReason.Contains(to);

    /// <summary>Null when the move is allowed; otherwise what was wrong and what to do instead.</summary>
    public static string? Refusal(VariantState from, VariantState to, string? reason)
    {
        if (from == to)
            return $"The variant is already {Describe(to)}.";
        if (!IsAllowed(from, to))
        {
            var next = Allowed[from];
            var options = next.Length == 0
                ? "nothing: it is final"
                : string.Join(", ", next.Select(Describe));
            return $"A variant that is {Describe(from)} cannot become {Describe(to)}; from {Describe(from)} it can become {options}.";
        }
        if (RequiresReason(to) && string.IsNullOrWhiteSpace(reason))
            return $"Moving a variant to {Describe(to)} needs a reason: say what is wrong so its author can act on it.";
        return null;
    }

    public static string Describe(VariantState state) => state switch
    {
        VariantState.Draft => "draft",
        VariantState.InReview => "in review",
        VariantState.Approved => "approved",
        VariantState.Rejected => "rejected",
        VariantState.Scheduled => "scheduled",
        VariantState.Publishing => "publishing",
        VariantState.Published => "published",
        VariantState.Failed => "failed",
        VariantState.Missed => "missed",
        VariantState.NeedsAttention => "needs attention",
        VariantState.Canceled => "canceled",
        _ => state.ToString(),
    };
}
