using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Publisher.Testing;

namespace Publisher.Bench;

/// <summary>The web app as it runs in production, in-process on a harness's database, with quiet logs.</summary>
public sealed partial class BenchWebApp(string connectionString) : WebApplicationFactory<Program>
{
    /// <summary>Points the web app at its Razor pages and wwwroot when it runs from the bench's output folder.</summary>
    public static void UseRepositoryContentRoot() =>
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_PUBLISHER_WEB", Path.Combine(RepositoryRoot.Path, "web"));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Database:ConnectionString", connectionString);
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }

    /// <summary>The antiforgery token of the form on <paramref name="html"/>.</summary>
    public static string AntiforgeryToken(string html) => WebUtility.HtmlDecode(TokenPattern().Match(html).Groups[1].Value);

    /// <summary>The machine's load while a harness ran: its figures mean little on a busy machine.</summary>
    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
