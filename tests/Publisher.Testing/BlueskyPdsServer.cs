using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Publisher.Testing;

/// <summary>An account on the test PDS: its app password is what Publisher signs in with.</summary>
public sealed record BlueskyTestAccount(string Handle, string Did, string Password, string AppPassword)
{
    /// <summary>The credentials a Bluesky channel account stores.</summary>
    public IReadOnlyDictionary<string, string> Credentials => new Dictionary<string, string> { ["identifier"] = Handle, ["app_password"] = AppPassword };
}

/// <summary>
/// Bluesky's own server software on loopback, once per test collection: tests/bluesky-pds/pds.js starts a PLC
/// directory and a PDS from @atproto/dev-env (installed by test.sh) and two accounts, the one that posts and one to
/// mention. The launcher stops when its standard input closes, so it also goes when the test host dies.
/// </summary>
public sealed class BlueskyPdsServer : IAsyncLifetime
{
    private readonly SemaphoreSlim _commands = new(1, 1);
    private readonly StringBuilder _errors = new();
    private Process? _process;

    public static string Folder => Path.Combine(RepositoryRoot.Path, "tests", "bluesky-pds");

    /// <summary>The PDS's address, e.g. http://localhost:41234/.</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The account Publisher posts as.</summary>
    public BlueskyTestAccount Poster { get; private set; } = null!;

    /// <summary>Another account on the same PDS, for mentions.</summary>
    public BlueskyTestAccount Mentionable { get; private set; } = null!;

    /// <summary>How far the server's clock has been moved ahead of the real one (<see cref="AdvanceClockAsync"/>).</summary>
    public TimeSpan ClockOffset { get; private set; }

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(Folder, "node_modules", "better-sqlite3", "build", "Release", "better_sqlite3.node")))
            throw new InvalidOperationException($"The Bluesky test server is not installed: run ./test.sh, or 'npm ci --ignore-scripts && npm run build-sqlite -- --nodedir=/usr' in {Folder}.");
        var start = new ProcessStartInfo("node", [Path.Combine(Folder, "pds.js")])
        {
            WorkingDirectory = Folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started: is Node.js on PATH?");
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_errors) if (_errors.Length < 16_000) _errors.AppendLine(e.Data);
        };
        _process.BeginErrorReadLine();

        // A cold start on a busy two-core machine takes tens of seconds; on a quiet one well under a second.
        var first = await ReadLineAsync(TimeSpan.FromMinutes(4), "start");
        var started = JsonNode.Parse(first)!.AsObject();
        BaseUri = new Uri(started["pds"]!.GetValue<string>().TrimEnd('/') + "/");
        var accounts = started["accounts"]!.AsArray().Select(a => a.Deserialize<BlueskyTestAccount>(Json)!).ToList();
        Poster = accounts[0];
        Mentionable = accounts[1];
    }

    /// <summary>A new account on the PDS (its own repository and its own rate limits).</summary>
    public async Task<BlueskyTestAccount> CreateAccountAsync(string handle)
    {
        var answer = await CommandAsync(new JsonObject { ["command"] = "createAccount", ["handle"] = handle });
        return answer["account"].Deserialize<BlueskyTestAccount>(Json)!;
    }

    /// <summary>Moves the server's clock forward, e.g. past the two hours an access token lasts.</summary>
    public async Task AdvanceClockAsync(TimeSpan by)
    {
        var answer = await CommandAsync(new JsonObject { ["command"] = "advanceClock", ["seconds"] = by.TotalSeconds });
        ClockOffset = TimeSpan.FromSeconds(answer["clockOffsetSeconds"]!.GetValue<double>());
    }

    private async Task<JsonObject> CommandAsync(JsonObject command)
    {
        await _commands.WaitAsync();
        try
        {
            await _process!.StandardInput.WriteLineAsync(command.ToJsonString());
            await _process.StandardInput.FlushAsync();
            var answer = JsonNode.Parse(await ReadLineAsync(TimeSpan.FromMinutes(1), command["command"]!.GetValue<string>()))!.AsObject();
            return answer["ok"]?.GetValue<bool>() == true
                ? answer
                : throw new InvalidOperationException($"The Bluesky test server refused {command.ToJsonString()}: {answer["error"]}");
        }
        finally
        {
            _commands.Release();
        }
    }

    private async Task<string> ReadLineAsync(TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        string? line;
        try
        {
            line = await _process!.StandardOutput.ReadLineAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The Bluesky test server did not answer '{what}' within {timeout.TotalSeconds:0} s. Its errors: {Errors}");
        }
        return line ?? throw new InvalidOperationException($"The Bluesky test server ended during '{what}'. Its errors: {Errors}");
    }

    private string Errors
    {
        get { lock (_errors) return _errors.Length == 0 ? "(none)" : _errors.ToString(); }
    }

    public async Task DisposeAsync()
    {
        if (_process is null) return;
        using var process = _process;
        try
        {
            // The end of its input is the launcher's signal to close the servers and delete their data.
            process.StandardInput.Close();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
