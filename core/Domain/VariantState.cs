namespace Publisher.Core.Domain;

/// <summary>Where one channel variant is on its way from draft to published.</summary>
public enum VariantState
{
    Draft,
    InReview,
    Approved,
    Rejected,
    Scheduled,
    Publishing,
    Published,
    Failed,
    Missed,
    NeedsAttention,
    Canceled,
}
