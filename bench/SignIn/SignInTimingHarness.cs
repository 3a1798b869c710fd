using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Domain;
using Publisher.Testing;

namespace Publisher.Bench.SignIn;

/// <summary>
/// Whether sign-in's answer time tells which addresses have accounts: posts the sign-in form, alternately, with a
/// known address and a wrong password and with an address that has no account, against the web app in-process
/// on a throwaway PostgreSQL, and prints each path's median and their ratio (1.0 is the goal; the review that asked
/// for the decoy check measured 138–241 ms against 4–6 ms). The known account has lockout off, or the sixth wrong
/// password would measure the lockout answer instead.
/// Run: <c>dotnet run -c Release --project bench -- signin [rounds]</c>.
/// </summary>
public static class SignInTimingHarness
{
    private const string Email = "known@bench.publisher.local";

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 100;
        BenchWebApp.UseRepositoryContentRoot();
        await using var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        await using var app = new BenchWebApp(await postgres.CreateMigratedDatabaseAsync("signin"));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = new AppUser { UserName = Email, Email = Email, DisplayName = "Known", EmailConfirmed = true };
            if (!(await users.CreateAsync(user, "Bench-password-1")).Succeeded || !(await users.SetLockoutEnabledAsync(user, false)).Succeeded)
                throw new InvalidOperationException("The bench could not create its user.");
        }

        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var token = BenchWebApp.AntiforgeryToken(await client.GetStringAsync("/Account/SignIn"));
        async Task<double> TimeAsync(string email)
        {
            var stopwatch = Stopwatch.StartNew();
            using var response = await client.PostAsync("/Account/SignIn", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Email"] = email, ["Input.Password"] = "not-the-password-1", ["__RequestVerificationToken"] = token,
            }));
            await response.Content.ReadAsStringAsync();
            stopwatch.Stop();
            if (response.StatusCode != HttpStatusCode.OK)
                throw new InvalidOperationException($"Signing in as {email} answered {(int)response.StatusCode}, not the form again.");
            return stopwatch.Elapsed.TotalMilliseconds;
        }

        for (var i = 0; i < 10; i++) // warm-up: JIT, Razor, EF Core's query cache
        {
            await TimeAsync(Email);
            await TimeAsync($"warm-{i}@bench.publisher.local");
        }
        var known = new List<double>(rounds);
        var unknown = new List<double>(rounds);
        for (var i = 0; i < rounds; i++)
        {
            known.Add(await TimeAsync(Email));
            unknown.Add(await TimeAsync($"nobody-{i}@bench.publisher.local"));
        }

        static double Median(List<double> times)
        {
            times.Sort();
            return times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
        }
        var (knownMedian, unknownMedian) = (Median(known), Median(unknown));
        Console.WriteLine($"Sign-in with a wrong password, {rounds} rounds after 10 warm-up rounds:");
        Console.WriteLine($"  known address: median {knownMedian:0.0} ms");
        Console.WriteLine($"  no account:    median {unknownMedian:0.0} ms");
        Console.WriteLine($"  ratio known / no account: {knownMedian / unknownMedian:0.00}");
        Console.WriteLine($"  machine: {Environment.ProcessorCount} cores, load average {BenchWebApp.LoadAverage()}");
        return 0;
    }
}
