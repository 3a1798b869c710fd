using System.Net;
using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Health;

[Collection(WebAppCollection.Name)]
public class HealthTests(PublisherWebApp app)
{
    [Fact]
    public async Task Health_reports_the_database_and_whether_a_worker_is_alive_and_pages_warn_without_one()
    {
        var client = app.NewClient();
        var (status, checks) = await HealthAsync(client);
        Assert.Equal("Healthy", checks["database"]);
        Assert.Equal("Degraded", checks["worker"]);
        Assert.Equal("Degraded", status);

        var signedIn = await app.SignedInAsync(Roles.Marketer);
        Assert.Contains("No worker is running", await signedIn.GetStringAsync("/Calendar"));

        // A Hangfire server on the same PostgreSQL is what a worker process is; start one here.
        using (var worker = new BackgroundJobServer(new BackgroundJobServerOptions { ServerName = "health-test", WorkerCount = 1 },
                   app.Services.GetRequiredService<JobStorage>()))
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (checks["worker"] != "Healthy" && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
                (status, checks) = await HealthAsync(client);
            }
            Assert.Equal("Healthy", checks["worker"]);
            Assert.Equal("Healthy", status);

            var page = await signedIn.GetStringAsync("/Calendar");
            Assert.DoesNotContain("No worker is running", page);
        }
    }

    private static async Task<(string Status, Dictionary<string, string> Checks)> HealthAsync(HttpClient client)
    {
        var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var checks = json.RootElement.GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString()!);
        return (json.RootElement.GetProperty("status").GetString()!, checks);
    }
}
