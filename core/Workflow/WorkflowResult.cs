namespace Publisher.Core.Workflow;

/// <summary>The outcome of a workflow step: done, or refused with a reason a person can act on.</summary>
public sealed record WorkflowResult(bool Succeeded, string? Error)
{
    public static readonly WorkflowResult Ok = new(true, null);
    public static WorkflowResult Refused(string error) => new(false, error);
}
