using System.Diagnostics;
using System.Text;

namespace Publisher.Testing;

/// <summary>
/// A real worker process (the built Publisher.Worker.dll), for tests that kill it, restart it or run it
/// against a database that goes away. Its output is kept for the failure message.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private WorkerProcess(Process process) => _process = process;

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>The worker's dll, relative to the repository root, built in the same configuration as the running tests.</summary>
    public static string RelativeDll =>
        Path.Combine("worker", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "Publisher.Worker.dll"); // bin/<Configuration>/net10.0

    /// <summary>
    /// Starts the worker built in the same configuration as the running tests, from the worker's folder, logging
    /// warnings and Publisher's own information.
    /// </summary>
    public static WorkerProcess Start(IReadOnlyDictionary<string, string> environment) =>
        Start(environment, Path.Combine(RepositoryRoot.Path, "worker"), Path.Combine(RepositoryRoot.Path, RelativeDll), quiet: true);

    /// <summary>
    /// Starts <c>dotnet <paramref name="dll"/></c> in <paramref name="workingDirectory"/>, as a person would by hand;
    /// unless <paramref name="quiet"/>, with the log levels of the worker's own settings.
    /// </summary>
    public static WorkerProcess Start(IReadOnlyDictionary<string, string> environment, string workingDirectory, string dll, bool quiet)
    {
        if (!File.Exists(Path.Combine(workingDirectory, dll)))
            throw new InvalidOperationException($"{dll} is missing: build the solution first (./test.sh does).");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Logging__", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        if (quiet)
        {
            start.Environment["DOTNET_ENVIRONMENT"] = "Production";
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            start.Environment["Logging__LogLevel__Publisher"] = "Information";
        }
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => worker.Append(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
        {
            if (_output.Length < 200_000)
                _output.AppendLine(line);
        }
    }

    /// <summary>Kills the process at once, as a crash or a power cut would: nothing gets to clean up.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
