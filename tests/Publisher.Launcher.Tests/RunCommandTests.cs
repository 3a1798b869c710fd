using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Publisher.Testing;
using Publisher.Testing.Fakes;

namespace Publisher.Launcher.Tests;

/// <summary>
/// The run command end to end, from an empty data folder: the launcher the README's ./run.sh starts,
/// with the web app and the worker it starts in turn.
/// </summary>
public class RunCommandTests
{
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    /// <summary>
    /// How long a first start may take: PostgreSQL's initdb, migrations and two .NET processes' first start, which
    /// on two cores shared with other builds and tests has taken more than five minutes.
    /// </summary>
    private static readonly TimeSpan FirstStart = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task From_an_empty_data_folder_it_starts_everything_a_demo_user_signs_in_and_ctrl_c_stops_it_all()
    {
        // The fake webhook below listens on 127.0.0.1, which Publisher refuses unless told otherwise.
        await using var run = await Run.StartAsync(new Dictionary<string, string> { [PrivateNetworks.EnvironmentVariable] = "true" });
        await run.WaitForAsync(() => run.Log.Contains("Publisher is running at"), FirstStart);
        var log = run.Log;
        Assert.Contains("Creating a private PostgreSQL cluster", log);
        Assert.Contains(run.Url, log);
        var admin = Regex.Match(log, @"admin@demo\.publisher\.local\s+(\S+)\s+Admin");
        Assert.True(admin.Success, "the demo users and their passwords are printed:\n" + log);

        // A demo user signs in through the real form.
        Assert.Equal(HttpStatusCode.Redirect, (await run.SignInAsync("admin@demo.publisher.local", admin.Groups[1].Value)).StatusCode);
        Assert.Contains("Autumn Blend", await run.Http.GetStringAsync("/Calendar"));

        // The worker it started heartbeats, so health turns fully healthy.
        await run.WaitForAsync(async () => (await run.Http.GetStringAsync("/health")).StartsWith("{\"status\":\"Healthy\""), FirstStart);

        // The web app and the worker started together on an empty key ring, yet a secret the web app encrypts is
        // one the worker decrypts: it signs the connection test's ping with it, and the receiver checks the signature.
        await using var receiver = new FakeWebhookReceiver();
        var account = await run.PostFormAsync("/Channels/Connection", "/Channels/Connection?handler=Create",
            new() { ["name"] = "Cold-start webhook", ["kind"] = "Webhook" });
        var page = account.Headers.Location!.OriginalString;
        await run.PostFormAsync(page, WithHandler(page, "Save"),
            new() { ["baseAddress"] = receiver.Url.ToString(), ["field_secret"] = receiver.Secret });
        Assert.Contains("Saved Cold-start webhook.", await run.Http.GetStringAsync(page));
        await run.PostFormAsync(page, WithHandler(page, "Test"), []);
        await run.WaitForAsync(async () => (await run.Http.GetStringAsync(page)).Contains("accepted a signed ping"), TimeSpan.FromMinutes(5));
        Assert.Equal(1, receiver.PingCount);
        // Hangfire's tables were made before the two started, so neither failed making them (they raced before).
        Assert.DoesNotContain("install/upgrade", run.Log);

        await run.StopWithCtrlCAsync();
    }

    /// <summary>The address of <paramref name="page"/>'s form handler, however the page carries its id (route or query).</summary>
    private static string WithHandler(string page, string handler) => page + (page.Contains('?') ? '&' : '?') + "handler=" + handler;

    [Fact]
    public async Task Without_the_demo_the_first_administrator_is_invited_by_a_printed_link_and_signs_in_with_the_password_they_chose()
    {
        await using var run = await Run.StartAsync(new Dictionary<string, string>
        {
            ["PUBLISHER_DEMO"] = "false", ["PUBLISHER_ADMIN_EMAIL"] = "owner@brand.example",
        });
        await run.WaitForAsync(() => run.Log.Contains("Publisher is running at") && run.Log.Contains("First administrator:"), FirstStart);
        Assert.DoesNotContain("demo.publisher.local", run.Log);
        var link = Regex.Match(run.Log, @"(http://\S+/Account/AcceptInvite\?userId=\S+&token=\S+)");
        Assert.True(link.Success, "the invitation link is printed:\n" + run.Log);
        Assert.StartsWith(run.Url, link.Value);

        // Until the invitation is used, the sign-in page says why nobody can sign in.
        Assert.Contains("no accounts yet", await run.Http.GetStringAsync("/Account/SignIn"));

        var form = await run.Http.GetStringAsync(link.Value);
        Assert.Contains("owner@brand.example", form);
        var chosen = await run.Http.PostAsync(link.Value, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserId"] = Hidden(form, "UserId"), ["Token"] = Hidden(form, "Token"), ["password"] = "Chosen-password-7",
            ["__RequestVerificationToken"] = Hidden(form, "__RequestVerificationToken"),
        }));
        Assert.Equal(HttpStatusCode.Redirect, chosen.StatusCode);

        // Signed in as Admin: the users page shows them, and the shipped templates are in place.
        var people = await run.Http.GetStringAsync("/Admin/Users");
        Assert.Contains("owner@brand.example", people);
        Assert.Contains("Mastodon", await run.Http.GetStringAsync("/Templates"));

        // The link is spent, and the password they chose signs them in on a fresh session.
        using var again = run.NewClient();
        var spent = await again.GetStringAsync(link.Value);
        Assert.Contains("not valid any more", spent);
        Assert.Equal(HttpStatusCode.Redirect, (await Run.SignInAsync(again, "owner@brand.example", "Chosen-password-7")).StatusCode);
        Assert.DoesNotContain("no accounts yet", await again.GetStringAsync("/Account/SignIn"));

        await run.StopWithCtrlCAsync();
    }

    [Fact]
    public async Task A_killed_worker_is_said_and_started_again_while_the_web_app_keeps_answering()
    {
        await using var run = await Run.StartAsync(new Dictionary<string, string>
        {
            ["PUBLISHER_DEMO"] = "false", ["PUBLISHER_ADMIN_EMAIL"] = "owner@brand.example",
        });
        await run.WaitForAsync(() => run.Log.Contains("Publisher is running at"), FirstStart);
        var first = Assert.Single(WorkerProcesses(run.Log));

        Assert.Equal(0, Kill("-KILL", first));
        await run.WaitForAsync(() => run.Log.Contains("The worker process stopped (exit code 137: killed); starting it again in 1 s. The others keep running."), TimeSpan.FromMinutes(2));
        // The web app was not stopped with it: it answers throughout.
        Assert.Contains("\"status\"", await (await run.Http.GetAsync("/health")).Content.ReadAsStringAsync());
        await run.WaitForAsync(() => WorkerProcesses(run.Log).Count == 2, TimeSpan.FromMinutes(2));
        var second = WorkerProcesses(run.Log)[1];
        Assert.NotEqual(first, second);
        Assert.False(Process.GetProcessById(second).HasExited);
        // The new worker heartbeats, so health turns fully healthy again.
        await run.WaitForAsync(async () => (await run.Http.GetStringAsync("/health")).StartsWith("{\"status\":\"Healthy\""), FirstStart);
        Assert.DoesNotContain("Stopping everything", run.Log);

        await run.StopWithCtrlCAsync();
    }

    [Fact]
    public async Task A_worker_that_keeps_stopping_stops_everything_and_says_why()
    {
        // A worker that cannot start: Hangfire refuses zero worker threads.
        await using var run = await Run.StartAsync(new Dictionary<string, string>
        {
            ["PUBLISHER_DEMO"] = "false", ["PUBLISHER_ADMIN_EMAIL"] = "owner@brand.example", ["Worker__Count"] = "0",
        });

        var exitCode = await run.WaitForExitAsync(TimeSpan.FromMinutes(15));

        Assert.Equal(1, exitCode);
        Assert.Contains("The worker process stopped 5 times in a row within 2 minutes of starting", run.Log);
        Assert.Contains("starting it again in 8 s", run.Log); // it backed off before giving up
        Assert.Contains("Stopped.", run.Log);
        Assert.False(File.Exists(Path.Combine(run.PgData, "postmaster.pid")), "PostgreSQL was stopped");
    }

    private static List<int> WorkerProcesses(string log) =>
        Regex.Matches(log, @"Started the worker \(process (\d+)\)").Select(m => int.Parse(m.Groups[1].Value)).ToList();

    private static string Hidden(string html, string name) =>
        WebUtility.HtmlDecode(Regex.Match(html, $"name=\"{Regex.Escape(name)}\"[^>]*value=\"([^\"]*)\"").Groups[1].Value);

    /// <summary>The launcher, as ./run.sh starts it, on a data folder and port of its own; disposing it leaves nothing running.</summary>
    private sealed class Run : IAsyncDisposable
    {
        private readonly StringBuilder _output = new();
        private readonly Process _process;
        private readonly string _data;

        private Run(Process process, string data, int port)
        {
            _process = process;
            _data = data;
            Url = $"http://127.0.0.1:{port}";
            Http = NewClient();
        }

        public string Url { get; }
        public HttpClient Http { get; }

        public string Log
        {
            get { lock (_output) return _output.ToString(); }
        }

        public static Task<Run> StartAsync(IReadOnlyDictionary<string, string> environment)
        {
            var data = Path.Combine(Path.GetTempPath(), "publisher-run-" + Guid.NewGuid().ToString("N")[..8]);
            var port = FreePort();
            var launcher = Path.Combine(RepositoryRoot.Path, "launcher", "bin", Configuration, "net10.0", "Publisher.Launcher.dll");
            // Through `env --default-signal=INT`: Ctrl-C in a terminal reaches a launcher whose SIGINT is the default,
            // but a test run started in the background by a non-interactive shell (`./test.sh &`, nohup) hands
            // SIGINT down ignored, and the launcher rightly keeps it so: the test would then wait for a stop that
            // the person it stands for would have had.
            var start = new ProcessStartInfo("env", ["--default-signal=INT", "dotnet", launcher])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = RepositoryRoot.Path,
            };
            start.Environment["PUBLISHER_DATA_DIR"] = data;
            start.Environment["PUBLISHER_URL"] = $"http://127.0.0.1:{port}";
            start.Environment.Remove("PUBLISHER_DB");
            start.Environment.Remove("PUBLISHER_DEMO");
            start.Environment.Remove("PUBLISHER_ADMIN_EMAIL");
            foreach (var (key, value) in environment)
                start.Environment[key] = value;
            var process = Process.Start(start)!;
            var run = new Run(process, data, port);
            process.OutputDataReceived += (_, e) => { lock (run._output) run._output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { lock (run._output) run._output.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return Task.FromResult(run);
        }

        public HttpClient NewClient() =>
            new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(Url) };

        public Task<HttpResponseMessage> SignInAsync(string email, string password) => SignInAsync(Http, email, password);

        /// <summary>Submits a form of <paramref name="page"/> to <paramref name="action"/> as the browser would; the answer must be a redirect.</summary>
        public async Task<HttpResponseMessage> PostFormAsync(string page, string action, Dictionary<string, string> fields)
        {
            var form = await Http.GetStringAsync(page);
            fields["__RequestVerificationToken"] = Hidden(form, "__RequestVerificationToken");
            var response = await Http.PostAsync(action, new FormUrlEncodedContent(fields));
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{action} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            return response;
        }

        public static async Task<HttpResponseMessage> SignInAsync(HttpClient http, string email, string password)
        {
            var form = await http.GetStringAsync("/Account/SignIn");
            return await http.PostAsync("/Account/SignIn", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Email"] = email, ["Input.Password"] = password, ["__RequestVerificationToken"] = Hidden(form, "__RequestVerificationToken"),
            }));
        }

        public string PgData => FindPgData(_data);

        /// <summary>Waits for the run command to end by itself; its exit code.</summary>
        public async Task<int> WaitForExitAsync(TimeSpan limit)
        {
            using var timeout = new CancellationTokenSource(limit);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"The run command was still running after {limit}. Output so far:\n{Log}");
            }
            return _process.ExitCode;
        }

        /// <summary>Ctrl-C: everything stops, PostgreSQL included.</summary>
        public async Task StopWithCtrlCAsync()
        {
            Assert.Equal(0, Kill("-INT", _process.Id));
            // The launcher gives the web app and the worker 25 s together, then PostgreSQL stops: minutes only on a
            // machine busy with much else.
            var exitCode = await WaitForExitAsync(TimeSpan.FromMinutes(3));
            Assert.Equal(0, exitCode);
            Assert.Contains("Stopped.", Log);
            Assert.False(File.Exists(Path.Combine(FindPgData(_data), "postmaster.pid")), "PostgreSQL was stopped");
            await Assert.ThrowsAsync<HttpRequestException>(() => Http.GetAsync("/health"));
        }

        public Task WaitForAsync(Func<bool> condition, TimeSpan limit) => WaitForAsync(() => Task.FromResult(condition()), limit);

        public async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan limit)
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
            Assert.Fail($"Gave up after {limit}. Output so far:\n{Log}");
        }

        public ValueTask DisposeAsync()
        {
            Http.Dispose();
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.Dispose();
            // Leave no server behind even when an assertion failed half-way.
            var pgdata = FindPgData(_data);
            if (File.Exists(Path.Combine(pgdata, "postmaster.pid")))
                StopCluster(pgdata);
            if (Directory.Exists(_data))
                Directory.Delete(_data, recursive: true);
            return ValueTask.CompletedTask;
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
