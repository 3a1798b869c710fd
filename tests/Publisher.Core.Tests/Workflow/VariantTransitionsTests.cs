using Publisher.Core.Domain;
using Publisher.Core.Workflow;

namespace Publisher.Core.Tests.Workflow;

public class VariantTransitionsTests
{
    // The design's legal moves, written out independently of the table under test.
    private static readonly HashSet<(VariantState, VariantState)> Legal =
    [
        (VariantState.Draft, VariantState.InReview), (VariantState.Draft, VariantState.Canceled),
        (VariantState.InReview, VariantState.Approved), (VariantState.InReview, VariantState.Rejected),
        (VariantState.InReview, VariantState.Draft), (VariantState.InReview, VariantState.Missed), (VariantState.InReview, VariantState.Canceled),
        (VariantState.Approved, VariantState.Scheduled), (VariantState.Approved, VariantState.InReview), (VariantState.Approved, VariantState.Draft),
        (VariantState.Approved, VariantState.Missed), (VariantState.Approved, VariantState.Canceled),
        (VariantState.Rejected, VariantState.Draft), (VariantState.Rejected, VariantState.InReview), (VariantState.Rejected, VariantState.Canceled),
        (VariantState.Scheduled, VariantState.Publishing), (VariantState.Scheduled, VariantState.Approved), (VariantState.Scheduled, VariantState.InReview),
        (VariantState.Scheduled, VariantState.Draft), (VariantState.Scheduled, VariantState.Missed), (VariantState.Scheduled, VariantState.Failed), (VariantState.Scheduled, VariantState.Canceled),
        (VariantState.Publishing, VariantState.Published), (VariantState.Publishing, VariantState.Failed),
        (VariantState.Publishing, VariantState.NeedsAttention), (VariantState.Publishing, VariantState.Scheduled),
        (VariantState.Failed, VariantState.Scheduled), (VariantState.Failed, VariantState.Draft), (VariantState.Failed, VariantState.Canceled),
        (VariantState.Missed, VariantState.Scheduled), (VariantState.Missed, VariantState.InReview), (VariantState.Missed, VariantState.Draft), (VariantState.Missed, VariantState.Canceled),
        (VariantState.NeedsAttention, VariantState.Published), (VariantState.NeedsAttention, VariantState.Scheduled),
        (VariantState.NeedsAttention, VariantState.Failed), (VariantState.NeedsAttention, VariantState.Canceled),
        (VariantState.Canceled, VariantState.Draft),
    ];

    public static TheoryData<VariantState, VariantState> LegalMoves()
    {
        var data = new TheoryData<VariantState, VariantState>();
        foreach (var (from, to) in Legal)
            data.Add(from, to);
        return data;
    }

    public static TheoryData<VariantState, VariantState> IllegalMoves()
    {
        var data = new TheoryData<VariantState, VariantState>();
        foreach (var from in Enum.GetValues<VariantState>())
        foreach (var to in Enum.GetValues<VariantState>())
        {
            if (!Legal.Contains((from, to)))
                data.Add(from, to);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(LegalMoves))]
    public void Every_legal_move_is_allowed(VariantState from, VariantState to)
    {
        Assert.True(VariantTransitions.IsAllowed(from, to));
        Assert.Null(VariantTransitions.Refusal(from, to, reason: "because"));
    }

    [Theory]
    [MemberData(nameof(IllegalMoves))]
    public void Every_illegal_move_is_refused_with_a_reason_naming_both_states(VariantState from, VariantState to)
    {
        Assert.False(VariantTransitions.IsAllowed(from, to));
        var refusal = VariantTransitions.Refusal(from, to, reason: "because");
        Assert.NotNull(refusal);
        Assert.Contains(VariantTransitions.Describe(from), refusal);
        if (from != to)
            Assert.Contains(VariantTransitions.Describe(to), refusal);
    }

    [Fact]
    public void Published_is_final()
    {
        Assert.Empty(VariantTransitions.From(VariantState.Published));
        Assert.Contains("final", VariantTransitions.Refusal(VariantState.Published, VariantState.Draft, null));
    }

    [Theory]
    [InlineData(VariantState.InReview, VariantState.Rejected)]
    [InlineData(VariantState.Publishing, VariantState.Failed)]
    [InlineData(VariantState.Publishing, VariantState.NeedsAttention)]
    public void Rejecting_or_failing_needs_a_reason(VariantState from, VariantState to)
    {
        Assert.Contains("needs a reason", VariantTransitions.Refusal(from, to, "  "));
        Assert.Null(VariantTransitions.Refusal(from, to, "The price is wrong"));
    }

    [Fact]
    public void The_table_covers_every_state()
    {
        foreach (var state in Enum.GetValues<VariantState>())
            _ = VariantTransitions.From(state);
    }
}
