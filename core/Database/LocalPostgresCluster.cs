using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace Publisher.Core.Database;

/// <summary>
/// A private PostgreSQL cluster started from the machine's own binaries in a folder we own: used by the
/// run command when no database is configured, and by the tests as a throwaway server. It listens on
/// loopback only, with a generated password. PostgreSQL refuses to run as root, so when we are root the
/// server runs as an unprivileged user (postgres, else nobody).
/// </summary>
public sealed class LocalPostgresCluster : IAsyncDisposable
{
    public const string UserName = "publisher";

    private readonly PostgresBinaries _binaries;
    private readonly string? _runAs;
    private readonly Action<string> _log;
    private bool _stopped;

    private LocalPostgresCluster(PostgresBinaries binaries, string folder, string? runAs, int port, string password, Action<string> log)
    {
        _binaries = binaries;
        Folder = folder;
        _runAs = runAs;
        Port = port;
        Password = password;
        _log = log;
    }

    /// <summary>The folder holding the cluster (pgdata/), its password, port and log.</summary>
    public string Folder { get; }
    public int Port { get; }
    public string Password { get; }
    public string DataDirectory => Path.Combine(Folder, "pgdata");
    public string LogFile => Path.Combine(Folder, "postgres.log");

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = UserName,
        Password = Password,
        Database = database,
    }.ConnectionString;

    /// <summary>
    /// Starts the cluster in <paramref name="folder"/>, creating it first when the folder is empty, and
    /// reusing it (and its port when free) when it already exists.
    /// </summary>
    /// <param name="durable">False for throwaway test clusters: skips fsync for speed.</param>
    public static async Task<LocalPostgresCluster> StartAsync(string folder, bool durable = true, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        log ??= _ => { };
        var binaries = PostgresBinaries.Find() ?? throw new PostgresNotInstalledException();
        var runAs = Environment.IsPrivilegedProcess ? UnprivilegedUser() : null;

        folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(folder);
        if (runAs is not null)
        {
            await RunAsync("chown", [runAs, folder], null, cancellationToken);
            if (!await CanWriteAsAsync(runAs, folder, cancellationToken))
            {
                // A parent folder (typically /root) is closed to other users, so the server could not
                // reach its files there. Keep the cluster in a stable place outside instead of failing.
                var fallback = Path.Combine("/var/tmp", "publisher-" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(folder)))[..12]);
                log($"{folder} is not reachable by the user '{runAs}' that PostgreSQL runs as; keeping the cluster in {fallback} instead.");
                folder = fallback;
                Directory.CreateDirectory(folder);
                await RunAsync("chown", [runAs, folder], null, cancellationToken);
            }
        }

        var passwordFile = Path.Combine(folder, "password");
        var dataDir = Path.Combine(folder, "pgdata");
        string password;
        if (!File.Exists(Path.Combine(dataDir, "PG_VERSION")))
        {
            log($"Creating a private PostgreSQL cluster in {dataDir} …");
            if (Directory.Exists(dataDir))
                Directory.Delete(dataDir, recursive: true);
            password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (runAs is not null)
                await RunAsync("chown", [runAs, passwordFile], null, cancellationToken);
            await RunAsync(binaries.InitDb,
                ["-D", dataDir, "-U", UserName, $"--pwfile={passwordFile}", "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-instructions"],
                runAs, cancellationToken, workingDirectory: folder);

            var settings = new List<string>
            {
                "",
                "# Written by Publisher: loopback only, no Unix socket (its default folder may not be writable).",
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = ''",
                "max_connections = 200",
            };
            if (!durable)
                settings.AddRange(["fsync = off", "synchronous_commit = off", "full_page_writes = off"]);
            await File.AppendAllLinesAsync(Path.Combine(dataDir, "postgresql.conf"), settings, cancellationToken);
        }
        else
        {
            password = (await File.ReadAllTextAsync(passwordFile, cancellationToken)).Trim();
        }

        var portFile = Path.Combine(folder, "port");
        int port;
        if (await IsRunningAsync(binaries, dataDir, runAs, cancellationToken) && File.Exists(portFile))
        {
            port = int.Parse(await File.ReadAllTextAsync(portFile, cancellationToken));
            log($"Reusing the PostgreSQL server already running on port {port}.");
        }
        else
        {
            port = File.Exists(portFile) && int.TryParse(await File.ReadAllTextAsync(portFile, cancellationToken), out var previous) && IsFree(previous)
                ? previous
                : FreePort();
            await File.WriteAllTextAsync(portFile, port.ToString(), cancellationToken);
            log($"Starting PostgreSQL on 127.0.0.1:{port} …");
            await RunAsync(binaries.PgCtl,
                ["-D", dataDir, "-l", Path.Combine(folder, "postgres.log"), "-o", $"-p {port}", "-w", "-t", "60", "start"],
                runAs, cancellationToken, workingDirectory: folder);
        }

        var cluster = new LocalPostgresCluster(binaries, folder, runAs, port, password, log);
        await cluster.EnsureDatabaseAsync("publisher", cancellationToken);
        return cluster;
    }

    /// <summary>Creates the database when it does not exist yet.</summary>
    public async Task EnsureDatabaseAsync(string database, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", database);
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
            return;
        // Identifiers cannot be parameters; quote it the way PostgreSQL does.
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"")}\"", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task StopAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        NpgsqlConnection.ClearAllPools();
        // Stopped by someone else (an admin's pg_ctl, a crash): nothing to stop, and no reason to end in an error.
        if (!File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            _log("PostgreSQL had already stopped.");
            return;
        }
        _log("Stopping PostgreSQL …");
        await RunAsync(_binaries.PgCtl, ["-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], _runAs, CancellationToken.None, workingDirectory: Folder);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static async Task<bool> IsRunningAsync(PostgresBinaries binaries, string dataDir, string? runAs, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(dataDir, "postmaster.pid")))
            return false;
        // pg_ctl status exits 0 when running, 3 when not.
        var (exitCode, _) = await RunCapturedAsync(binaries.PgCtl, ["-D", dataDir, "status"], runAs, Path.GetDirectoryName(dataDir)!, cancellationToken);
        return exitCode == 0;
    }

    private static string UnprivilegedUser()
    {
        var passwd = File.Exists("/etc/passwd") ? File.ReadAllLines("/etc/passwd") : [];
        return passwd.Any(l => l.StartsWith("postgres:", StringComparison.Ordinal)) ? "postgres" : "nobody";
    }

    private static async Task<bool> CanWriteAsAsync(string user, string folder, CancellationToken cancellationToken)
    {
        var (exitCode, _) = await RunCapturedAsync("runuser", ["-u", user, "--", "test", "-w", folder], null, "/", cancellationToken);
        return exitCode == 0;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, string? runAs, CancellationToken cancellationToken, string workingDirectory = "/")
    {
        var (exitCode, output) = await RunCapturedAsync(program, arguments, runAs, workingDirectory, cancellationToken);
        if (exitCode != 0)
            throw new InvalidOperationException($"`{Path.GetFileName(program)} {string.Join(' ', arguments)}` failed with exit code {exitCode}:\n{output.Trim()}");
    }

    private static async Task<(int ExitCode, string Output)> RunCapturedAsync(string program, IReadOnlyList<string> arguments, string? runAs, string workingDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            FileName = runAs is null ? program : "runuser",
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (runAs is not null)
        {
            foreach (var a in new[] { "-u", runAs, "--", program })
                start.ArgumentList.Add(a);
        }
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        // The server must not inherit our terminal's locale or a stray PGDATA.
        start.Environment["LC_ALL"] = "C";
        start.Environment.Remove("PGDATA");

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        // pg_ctl start leaves the server holding its own stdout; read only until pg_ctl itself exits.
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(2000, cancellationToken)) is Task<string[]> both
            ? string.Join("\n", both.Result)
            : "";
        return (process.ExitCode, output);
    }
}
