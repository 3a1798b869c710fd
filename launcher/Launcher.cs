using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Hangfire.PostgreSql;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Publisher.Core;
using Publisher.Core.Data;
using Publisher.Core.Database;
using Publisher.Core.Publishing;

namespace Publisher.Launcher;

public sealed class Launcher(LauncherSettings settings, TextWriter console)
{
    /// <summary>
    /// A process that stops this many times in a row, each time within <see cref="CrashWindow"/> of its start, is
    /// not started again: something is wrong with it. Counted per life rather than over a stretch of the clock, so a
    /// machine slow to start .NET processes still recognises a process that cannot stay up.
    /// </summary>
    public const int CrashLimit = 5;
    public static readonly TimeSpan CrashWindow = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan LongestRestartDelay = TimeSpan.FromSeconds(30);
    /// <summary>How long the web app and the worker get, together, to stop by themselves after Ctrl-C.</summary>
    private static readonly TimeSpan GracefulStop = TimeSpan.FromSeconds(25);

    /// <summary>What was started, by role ("worker", "web"), so a process that stops can be started again the same way.</summary>
    private readonly Dictionary<string, Child> _children = [];

    private sealed record Child(string Role, string Dll, string WorkingFolder, IReadOnlyDictionary<string, string> Environment)
    {
        public Process Process { get; set; } = null!;
        public DateTime StartedAt { get; set; }
        /// <summary>How many times in a row it stopped within <see cref="CrashWindow"/> of its start.</summary>
        public int QuickStops { get; set; }
    }

    /// <summary>Runs until <paramref name="stopping"/> (Ctrl-C); <paramref name="hurry"/> (a second Ctrl-C) cuts the graceful stop short.</summary>
    public async Task<int> RunAsync(CancellationToken stopping, CancellationToken hurry = default)
    {
        LocalPostgresCluster? cluster = null;
        try
        {
            string connectionString;
            if (settings.DatabaseConnectionString is { } configured)
            {
                console.WriteLine("Using the database from PUBLISHER_DB.");
                connectionString = configured;
            }
            else
            {
                cluster = await LocalPostgresCluster.StartAsync(Path.Combine(settings.DataFolder, "postgres"), durable: true, log: console.WriteLine, stopping);
                connectionString = cluster.ConnectionString("publisher");
            }

            var url = FreeUrl(settings.Url);
            var demoUsers = await PrepareDatabaseAsync(connectionString, url, stopping);

            // The key that wraps the credential-encryption keys: given, or made once and kept beside the data.
            var masterKey = settings.MasterKey ?? MasterKey.LoadOrCreateFile(Path.Combine(settings.DataFolder, "master.key"));
            var environment = new Dictionary<string, string>
            {
                ["PUBLISHER_DB"] = connectionString,
                ["PUBLISHER_MASTER_KEY"] = masterKey,
                ["PUBLISHER_URL"] = url,
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
            };
            Start("worker", Path.Combine("worker", "bin", settings.BuildConfiguration, "net10.0", "Publisher.Worker.dll"), "worker", environment);
            Start("web", Path.Combine("web", "bin", settings.BuildConfiguration, "net10.0", "Publisher.Web.dll"), "web",
                new Dictionary<string, string>(environment) { ["ASPNETCORE_URLS"] = url });

            // Supervision starts at once: a process that stops while the web app is still starting is started again.
            var announced = AnnounceWhenAnsweringAsync(url, demoUsers, stopping);
            var result = await SuperviseAsync(stopping);
            await announced.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return result;
        }
        catch (PostgresNotInstalledException e)
        {
            console.WriteLine(e.Message);
            return 2;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return 0;
        }
        finally
        {
            if (stopping.IsCancellationRequested)
                console.WriteLine("Stopping Publisher (Ctrl-C again stops it at once) …");
            await StopChildrenAsync(hurry);
            if (cluster is not null)
                await cluster.StopAsync();
            console.WriteLine("Stopped.");
        }
    }

    /// <summary>Migrates, seeds the demo brand once, and returns the demo sign-ins to print.</summary>
    private async Task<IReadOnlyList<string>> PrepareDatabaseAsync(string connectionString, string url, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection().AddDatabaseTools(connectionString, url).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        console.WriteLine("Applying database migrations …");
        await DatabaseInitializer.MigrateAsync(scope.ServiceProvider.GetRequiredService<PublisherDbContext>(), cancellationToken);
        // Hangfire's tables too, before the web app and the worker start together: each installs them when missing,
        // and on a first start the two raced (one logged "relation … already exists" as a failure).
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(cancellationToken);
            PostgreSqlObjectsInstaller.Install(connection, CoreServiceCollectionExtensions.HangfireSchema);
        }
        if (!settings.SeedDemo)
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            await DatabaseInitializer.SeedEssentialsAsync(db, scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>(), TimeProvider.System, cancellationToken);
            console.WriteLine("PUBLISHER_DEMO=false: no demo brand or users. The roles, shipped templates and style guide are in place; "
                + "while nobody has an account, the web app prints the first administrator's invitation link (for PUBLISHER_ADMIN_EMAIL).");
            return [];
        }
        var created = await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(cancellationToken);

        // The passwords are only known when the users are created: keep them beside the database
        // (readable by this user only) so every later run can print them again.
        var file = Path.Combine(settings.DataFolder, "demo-users.txt");
        if (created.Count > 0)
        {
            console.WriteLine("Seeded the demo brand.");
            Directory.CreateDirectory(settings.DataFolder);
            await File.WriteAllLinesAsync(file, created.Select(u => $"{u.Email,-34} {u.Password,-20} {u.Role}"), cancellationToken);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return File.Exists(file) ? await File.ReadAllLinesAsync(file, cancellationToken) : ["(demo users were created earlier; their passwords are not on this machine)"];
    }

    /// <summary>
    /// Keeps the web app and the worker running until Ctrl-C: one that stops is said so and started again after a
    /// back-off (1 s, 2 s, 4 s, … up to 30 s), while the others go on. Only a process that cannot stay up
    /// (<see cref="CrashLimit"/> stops in a row, each within <see cref="CrashWindow"/> of its start) stops everything,
    /// with the reason.
    /// </summary>
    private async Task<int> SuperviseAsync(CancellationToken stopping)
    {
        while (true)
        {
            var stopped = await WaitForAnyChildAsync(stopping);
            // In a terminal Ctrl-C reaches the children too, and one may stop before this process sees the signal.
            if (stopped is null || stopping.IsCancellationRequested)
                return 0;
            // One that ran for a good while before it stopped starts a new count.
            stopped.QuickStops = DateTime.UtcNow - stopped.StartedAt < CrashWindow ? stopped.QuickStops + 1 : 1;
            var how = Describe(stopped.Process.ExitCode);
            if (stopped.QuickStops >= CrashLimit)
            {
                console.WriteLine($"The {stopped.Role} process stopped {stopped.QuickStops} times in a row within {CrashWindow.TotalMinutes:0} minutes of starting "
                    + $"(the last time {how}); it is not started again. Its output above says why. Stopping everything.");
                return 1;
            }
            var delay = TimeSpan.FromSeconds(Math.Min(LongestRestartDelay.TotalSeconds, Math.Pow(2, stopped.QuickStops - 1)));
            console.WriteLine($"The {stopped.Role} process stopped ({how}); starting it again in {delay.TotalSeconds:0} s. The others keep running.");
            await Task.Delay(delay, stopping);
            Start(stopped);
        }
    }

    private static string Describe(int exitCode) => exitCode switch
    {
        137 => "exit code 137: killed",
        143 => "exit code 143: terminated",
        > 128 and < 160 => $"exit code {exitCode}: signal {exitCode - 128}",
        _ => $"exit code {exitCode}",
    };

    private void Start(string role, string relativeDll, string workingFolder, IReadOnlyDictionary<string, string> environment)
    {
        var dll = Path.Combine(settings.RepositoryRoot, relativeDll);
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} is missing: build first (./run.sh does).");
        var child = new Child(role, dll, Path.Combine(settings.RepositoryRoot, workingFolder), environment);
        _children[role] = child;
        Start(child);
    }

    private void Start(Child child)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = child.WorkingFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(child.Dll);
        foreach (var (key, value) in child.Environment)
            start.Environment[key] = value;
        start.Environment["PUBLISHER_ROLE"] = child.Role;
        // libvips makes media derivatives on threads of its own; with glibc's default of eight heaps per core each keeps
        // its freed buffers, and the processes' memory creeps up image after image (see media/Processing/NativeHeap.cs).
        // Set before the process starts, the limit covers every thread; a value chosen by whoever runs us wins.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX")))
            start.Environment["MALLOC_ARENA_MAX"] = "2";
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var role = child.Role;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) console.WriteLine($"[{role}] {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) console.WriteLine($"[{role}] {e.Data}"); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        child.Process = process;
        child.StartedAt = DateTime.UtcNow;
        console.WriteLine($"Started the {role} (process {process.Id}).");
    }

    private async Task<Child?> WaitForAnyChildAsync(CancellationToken stopping)
    {
        var exits = _children.Values.Select(async c => { await c.Process.WaitForExitAsync(CancellationToken.None); return c; }).ToList();
        var cancelled = Task.Delay(Timeout.Infinite, stopping);
        var first = await Task.WhenAny(exits.Cast<Task>().Append(cancelled));
        return first == cancelled ? null : await (Task<Child>)first;
    }

    /// <summary>
    /// Stops the web app and the worker together: SIGTERM to both at once, so each shuts down gracefully (Hangfire
    /// hands its jobs back, the worker writes the outcomes it holds), then one shared deadline after which whatever
    /// still runs is killed. A second Ctrl-C (<paramref name="hurry"/>) kills at once.
    /// </summary>
    private async Task StopChildrenAsync(CancellationToken hurry)
    {
        var running = _children.Values.Select(c => c.Process).Where(p => p is not null && !HasExited(p)).ToList();
        foreach (var process in running)
            Signal(process, "-TERM");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(hurry);
        deadline.CancelAfter(GracefulStop);
        try
        {
            await Task.WhenAll(running.Select(p => p.WaitForExitAsync(deadline.Token)));
        }
        catch (OperationCanceledException)
        {
            foreach (var process in running.Where(p => !HasExited(p)))
            {
                var role = _children.Values.First(c => c.Process == process).Role;
                console.WriteLine($"The {role} did not stop within {GracefulStop.TotalSeconds:0} s; killing it.");
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It exited in the meantime.
                }
            }
        }
    }

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true; // never started
        }
    }

    private static void Signal(Process process, string signal)
    {
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", [signal, process.Id.ToString()]) { UseShellExecute = false });
            kill?.WaitForExit(5000);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            // Without the kill command the deadline below still ends it.
        }
    }

    /// <summary>Prints the address and the sign-ins once the web app answers (however long its first start takes).</summary>
    private async Task AnnounceWhenAnsweringAsync(string url, IReadOnlyList<string> demoUsers, CancellationToken stopping)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var slow = DateTime.UtcNow.AddMinutes(2);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync(url.TrimEnd('/') + "/health", stopping);
                // 503 also means the web app answers; health then says what is missing.
                break;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!stopping.IsCancellationRequested)
            {
            }
            if (DateTime.UtcNow > slow)
            {
                console.WriteLine($"The web app has not answered at {url} for 2 minutes; still waiting (its output above may say why).");
                slow = DateTime.MaxValue;
            }
            await Task.Delay(500, stopping);
        }
        if (stopping.IsCancellationRequested)
            return;
        console.WriteLine();
        console.WriteLine($"Publisher is running at {url}");
        if (demoUsers.Count > 0)
        {
            console.WriteLine("Sign in as one of the demo users:");
            foreach (var line in demoUsers)
                console.WriteLine("  " + line);
        }
        console.WriteLine("Press Ctrl-C to stop Publisher and its database.");
    }

    /// <summary>The configured address, or the same host on a free port when that one is taken.</summary>
    private string FreeUrl(string configured)
    {
        var uri = new Uri(configured);
        if (!IPAddress.TryParse(uri.Host, out var address))
            address = IPAddress.Loopback;
        try
        {
            using var probe = new TcpListener(address, uri.Port);
            probe.Start();
            return configured;
        }
        catch (SocketException)
        {
            using var probe = new TcpListener(address, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            console.WriteLine($"Port {uri.Port} is taken; using {port} instead.");
            return new UriBuilder(uri) { Port = port }.Uri.ToString().TrimEnd('/');
        }
    }
}
