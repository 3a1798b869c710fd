namespace Publisher.Testing;

/// <summary>
/// A real worker process (the built Publisher.Worker.dll), for tests that kill it, restart it or run it
/// against a database that goes away. Its output is kept for the failure message.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly AppProcess _process;

    private WorkerProcess(AppProcess process) => _process = process;

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Output => _process.Output;

    /// <summary>Starts the worker built in the same configuration as the running tests.</summary>
    public static WorkerProcess Start(IReadOnlyDictionary<string, string> environment) =>
        new(AppProcess.Start("worker", "Publisher.Worker.dll", environment));

    /// <summary>Kills the process at once, as a crash or a power cut would: nothing gets to clean up.</summary>
    public Task KillAsync() => _process.KillAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
