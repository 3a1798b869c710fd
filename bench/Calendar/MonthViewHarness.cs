using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Testing;

namespace Publisher.Bench.Calendar;

/// <summary>
/// The month view with 2,000 variants: seeds them into one month on a throwaway PostgreSQL cluster (the tests'
/// <see cref="PostgresServer"/>), starts the web app in-process, signs a marketer in and requests the month page
/// again and again, printing the median and 90th percentile of the server's answer time.
/// Run: <c>dotnet run -c Release --project bench -- calendar [requests]</c>.
/// </summary>
public static partial class MonthViewHarness
{
    private const int Variants = 2000;
    private const string Password = "Bench-password-1";
    private const string Email = "bench@bench.publisher.local";
    private static readonly DateOnly Month = new(2027, 3, 1); // holds the spring daylight-saving change in Paris

    public static async Task<int> RunAsync(string[] args)
    {
        var requests = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 200;
        BenchWebApp.UseRepositoryContentRoot();
        await using var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        var connectionString = await postgres.CreateMigratedDatabaseAsync("bench");
        await using var app = new BenchWebApp(connectionString);
        await SeedAsync(app.Services);

        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await SignInAsync(client);
        var url = $"/Calendar?view=month&date={Month:yyyy-MM-dd}";

        var first = await client.GetStringAsync(url);
        var entries = EntryPattern().Matches(first).Count;
        if (entries != Variants)
        {
            Console.Error.WriteLine($"The month page shows {entries} entries, not {Variants}: the harness measures the wrong thing.");
            return 1;
        }
        for (var i = 0; i < 20; i++)
            await client.GetStringAsync(url); // warm-up: JIT, Razor, EF Core's query cache, PostgreSQL's buffers

        var times = new List<double>(requests);
        var stopwatch = new Stopwatch();
        for (var i = 0; i < requests; i++)
        {
            stopwatch.Restart();
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseContentRead);
            stopwatch.Stop();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Console.Error.WriteLine($"Request {i} answered {(int)response.StatusCode}.");
                return 1;
            }
            times.Add(stopwatch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        double At(double q) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(q * times.Count) - 1)];
        Console.WriteLine($"Month view, {Variants:N0} variants, {first.Length / 1024:N0} KB of HTML, {requests} requests after 20 warm-up requests:");
        Console.WriteLine($"  median {At(0.5):0.0} ms, p90 {At(0.9):0.0} ms, min {times[0]:0.0} ms, max {times[^1]:0.0} ms");
        Console.WriteLine($"  machine: {Environment.ProcessorCount} cores, load average {BenchWebApp.LoadAverage()}");
        return 0;
    }

    private static async Task SeedAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        foreach (var role in Roles.All)
            await roles.CreateAsync(new IdentityRole(role));
        var user = new AppUser { UserName = Email, Email = Email, DisplayName = "Bench Marketer", EmailConfirmed = true };
        Check((await users.CreateAsync(user, Password)).Succeeded, "could not create the bench user");
        await users.AddToRoleAsync(user, Roles.Marketer);

        db.Brands.Add(new Brand { Id = 1, Name = "Bench Coffee", TimeZone = "Europe/Paris" });
        var kinds = new[] { "X", "Mastodon", "Bluesky", "LinkedIn", "FacebookPage", "Email", "Blog", "Webhook" };
        var colors = new[] { "#111827", "#6364ff", "#0085ff", "#0a66c2", "#1877f2", "#b45309", "#15803d", "#7c3aed" };
        var accounts = kinds.Select((k, i) => new ChannelAccount { Name = $"Bench {k}", Kind = k, Color = colors[i], IsDemo = true, CreatedAt = DateTimeOffset.UtcNow }).ToList();
        db.ChannelAccounts.AddRange(accounts);
        var campaigns = Enumerable.Range(0, 3).Select(i => new Campaign
        {
            Name = $"Bench campaign {i}", UtmCampaign = $"bench-{i}", Color = colors[i + 3], StartsOn = Month.AddDays(i * 9), EndsOn = Month.AddDays(i * 9 + 12),
        }).ToList();
        db.Campaigns.AddRange(campaigns);

        // 400 messages, five variants each, spread over the month's days and working hours.
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var states = Enum.GetValues<VariantState>();
        var random = new Random(6);
        var body = string.Join(' ', Enumerable.Repeat("Our autumn blend is roasted in small batches every Tuesday, with notes of fig, cocoa and toasted hazelnut.", 3));
        for (var m = 0; m < Variants / 5; m++)
        {
            var day = Month.AddDays(m % 31);
            var local = day.ToDateTime(new TimeOnly(8 + random.Next(11), random.Next(4) * 15));
            var at = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(paris.IsInvalidTime(local) ? local.AddHours(1) : local, paris), TimeSpan.Zero);
            var message = new Message
            {
                Title = $"Bench message {m}: the autumn blend", BodyMarkdown = body, AuthorId = user.Id, TimeZone = "Europe/Paris", PlannedAt = at,
                CampaignId = m % 4 == 3 ? null : campaigns[m % 3].Id, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            };
            db.Messages.Add(message);
            for (var v = 0; v < 5; v++)
            {
                var account = accounts[(m + v) % accounts.Count];
                db.Variants.Add(new Variant
                {
                    MessageId = message.Id, ChannelAccountId = account.Id, State = states[random.Next(states.Length)], ScheduledAt = at.AddMinutes(v * 5),
                    // An email or blog variant is long: the calendar must not carry all of it.
                    RenderedText = account.Kind is "Email" or "Blog" ? string.Join("\n\n", Enumerable.Repeat(body, 20)) : body, UpdatedAt = DateTimeOffset.UtcNow,
                });
            }
        }
        await db.SaveChangesAsync();
    }

    private static async Task SignInAsync(HttpClient client)
    {
        var html = await client.GetStringAsync("/Account/SignIn");
        var token = BenchWebApp.AntiforgeryToken(html);
        var response = await client.PostAsync("/Account/SignIn", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = Email, ["Input.Password"] = Password, ["__RequestVerificationToken"] = token,
        }));
        Check(response.StatusCode == HttpStatusCode.Redirect, $"signing in answered {(int)response.StatusCode}");
    }

    private static void Check(bool ok, string what)
    {
        if (!ok)
            throw new InvalidOperationException("The bench could not set up: " + what);
    }

    [GeneratedRegex("<div class=\"entry\" data-variant=")]
    private static partial Regex EntryPattern();
}
