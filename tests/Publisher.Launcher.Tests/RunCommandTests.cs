using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Publisher.Testing;

namespace Publisher.Launcher.Tests;

/// <summary>
/// The run command end to end, from an empty data folder: the launcher the README's ./run.sh starts,
/// with the web app and the worker it starts in turn.
/// </summary>
public class RunCommandTests
{
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    [Fact]
    public async Task From_an_empty_data_folder_it_starts_everything_a_demo_user_signs_in_and_ctrl_c_stops_it_all()
    {
        var data = Path.Combine(Path.GetTempPath(), "publisher-run-" + Guid.NewGuid().ToString("N")[..8]);
        var port = FreePort();
        var output = new StringBuilder();
        var launcher = Path.Combine(RepositoryRoot.Path, "launcher", "bin", Configuration, "net10.0", "Publisher.Launcher.dll");
        var start = new ProcessStartInfo("dotnet", [launcher])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot.Path,
        };
        start.Environment["PUBLISHER_DATA_DIR"] = data;
        start.Environment["PUBLISHER_URL"] = $"http://127.0.0.1:{port}";
        start.Environment.Remove("PUBLISHER_DB");
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await WaitForAsync(() => Text(output).Contains("Publisher is running at"), TimeSpan.FromMinutes(3), output);
            var log = Text(output);
            Assert.Contains("Creating a private PostgreSQL cluster", log);
            Assert.Contains($"http://127.0.0.1:{port}", log);
            var admin = Regex.Match(log, @"admin@demo\.publisher\.local\s+(\S+)\s+Admin");
            Assert.True(admin.Success, "the demo users and their passwords are printed:\n" + log);

            // A demo user signs in through the real form.
            var cookies = new CookieContainer();
            using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            };
            var form = await http.GetStringAsync("/Account/SignIn");
            var token = WebUtility.HtmlDecode(Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value);
            var signIn = await http.PostAsync("/Account/SignIn", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Email"] = "admin@demo.publisher.local", ["Input.Password"] = admin.Groups[1].Value, ["__RequestVerificationToken"] = token,
            }));
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            Assert.Contains("Autumn Blend", await http.GetStringAsync("/Calendar"));

            // The worker it started heartbeats, so health turns fully healthy.
            await WaitForAsync(async () => (await http.GetStringAsync("/health")).StartsWith("{\"status\":\"Healthy\""), TimeSpan.FromMinutes(1), output);

            // Ctrl-C: everything stops, PostgreSQL included.
            Assert.Equal(0, Kill("-INT", process.Id));
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await process.WaitForExitAsync(timeout.Token);
            Assert.Contains("Stopped.", Text(output));
            Assert.False(File.Exists(Path.Combine(FindPgData(data), "postmaster.pid")), "PostgreSQL was stopped");
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/health"));
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            // Leave no server behind even when an assertion failed half-way.
            var pgdata = FindPgData(data);
            if (File.Exists(Path.Combine(pgdata, "postmaster.pid")))
                StopCluster(pgdata);
            if (Directory.Exists(data))
                Directory.Delete(data, recursive: true);
        }
    }

    private static string FindPgData(string data) => Path.Combine(data, "postgres", "pgdata");

    private static void StopCluster(string pgdata)
    {
        var pgCtl = Publisher.Core.Database.PostgresBinaries.Find()!.PgCtl;
        var start = Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", pgCtl, "-D", pgdata, "-m", "immediate", "stop"])
            : new ProcessStartInfo(pgCtl, ["-D", pgdata, "-m", "immediate", "stop"]);
        start.WorkingDirectory = "/";
        Process.Start(start)?.WaitForExit(30_000);
    }

    private static int Kill(string signal, int pid)
    {
        using var kill = Process.Start("kill", [signal, pid.ToString()]);
        kill.WaitForExit();
        return kill.ExitCode;
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
            return output.ToString();
    }

    private static Task WaitForAsync(Func<bool> condition, TimeSpan limit, StringBuilder output) =>
        WaitForAsync(() => Task.FromResult(condition()), limit, output);

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan limit, StringBuilder output)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(250);
        }
        Assert.Fail($"Gave up after {limit}. Output so far:\n{Text(output)}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
