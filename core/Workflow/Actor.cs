namespace Publisher.Core.Workflow;

/// <summary>Who is acting: a signed-in user, or the system itself (the worker, a scheduled check).</summary>
public sealed record Actor(string? UserId, string Name)
{
    public static readonly Actor System = new(null, "system");
}
