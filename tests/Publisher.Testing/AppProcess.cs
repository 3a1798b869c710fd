using System.Diagnostics;
using System.Text;

namespace Publisher.Testing;

/// <summary>
/// One of Publisher's programs as a real process (the built dll, run with <c>dotnet</c>), for tests that
/// kill it, restart it, or check that a request cannot end it. Its output is kept for the failure message.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppProcess(Process process) => _process = process;

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Starts <paramref name="project"/>'s program (e.g. "worker", "web"), built in the same configuration as the running tests.</summary>
    public static AppProcess Start(string project, string assembly, IReadOnlyDictionary<string, string> environment) =>
        Start(environment, Path.Combine(RepositoryRoot.Path, project), Path.Combine(RepositoryRoot.Path, RelativeDll(project, assembly)), quiet: true);

    /// <summary><paramref name="project"/>'s dll relative to the repository root, built in the same configuration as the running tests.</summary>
    public static string RelativeDll(string project, string assembly) =>
        Path.Combine(project, "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", assembly); // bin/<Configuration>/net10.0

    /// <summary>
    /// Starts <c>dotnet <paramref name="dll"/></c> in <paramref name="workingDirectory"/>, as a person would by hand;
    /// when <paramref name="quiet"/>, in Production logging warnings and Publisher's own information, otherwise with
    /// the program's own settings (nothing of the test run's environment or log levels leaks in).
    /// </summary>
    public static AppProcess Start(IReadOnlyDictionary<string, string> environment, string workingDirectory, string dll, bool quiet)
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
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            start.Environment["Logging__LogLevel__Publisher"] = "Information";
            // "Now listening on …" and "Application started": a failure message then says how far the start got.
            start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        }
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var app = new AppProcess(process);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
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
