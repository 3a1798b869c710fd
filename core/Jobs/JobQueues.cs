namespace Publisher.Core.Jobs;

public static class JobQueues
{
    /// <summary>Publishing jobs; the worker listens on it first.</summary>
    public const string Publish = "publish";
    public const string Default = "default";
    public static readonly string[] All = [Publish, Default];
}
