using Microsoft.AspNetCore.Builder;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Testing;

namespace Publisher.Web.Tests;

/// <summary>
/// The real web app on a fresh, migrated PostgreSQL database, with one user per role (and one with
/// every role) whose password is <see cref="Password"/>.
/// </summary>
public class PublisherWebApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Password = "Test-password-1";
    private static readonly ILoggerFactory ProcessLogging = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Warning));
    private readonly PostgresServer _postgres = new();

    public string ConnectionString { get; private set; } = "";

    /// <summary>The app's own PostgreSQL server (a test that stops it must have an app of its own).</summary>
    protected PostgresServer Postgres => _postgres;

    /// <summary>Counts the password-hash verifications the app makes, through the hasher it really uses.</summary>
    public PasswordHashCounter PasswordHashing { get; } = new();

    public static string EmailFor(string role) => $"{role.ToLowerInvariant()}@tests.publisher.local";

    /// <summary>
    /// Publishing:AllowPrivateNetworks for this app. On for the shared app: its end-to-end test saves the address of
    /// a fake network on 127.0.0.1 through the channel page. <see cref="PublicOnlyWebApp"/> keeps the default.
    /// </summary>
    protected virtual bool AllowPrivateNetworks => true;

    /// <summary>Where this app's uploads wait while they are checked (Media:TempFolder): its own, so a test can see that none is left behind.</summary>
    public string MediaTempFolder { get; } = Directory.CreateTempSubdirectory("publisher-web-media-").FullName;

    /// <summary>Settings a derived app adds (e.g. smaller media limits).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> ExtraSettings => [];

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        ConnectionString = await _postgres.CreateMigratedDatabaseAsync("web");
        await using var scope = Services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        foreach (var role in Roles.All)
        {
            await roles.CreateAsync(new IdentityRole(role));
            var user = new AppUser { UserName = EmailFor(role), Email = EmailFor(role), DisplayName = role + " Tester", EmailConfirmed = true };
            Assert.True((await users.CreateAsync(user, Password)).Succeeded);
            await users.AddToRoleAsync(user, role);
        }
        await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().SaveChangesAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _postgres.DisposeAsync();
        Directory.Delete(MediaTempFolder, recursive: true);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // Hangfire keeps its log provider in a process-wide setting, made from the ILoggerFactory of the app that
        // configured it last. The browser tests' apps come and go beside the collection's, and once one was
        // disposed every other app's job creation threw ObjectDisposedException (LoggerFactory). So all apps in
        // this test process share one factory that no app disposes: a container never disposes an instance it
        // was handed.
        builder.ConfigureServices(services =>
        {
            services.Replace(ServiceDescriptor.Singleton(ProcessLogging));
            // The in-memory test server gives requests no address; Kestrel would. Visitor hashes need one.
            services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, LoopbackAddressFilter>();
        });
        builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Scoped<IPasswordHasher<AppUser>>(sp =>
            new CountingPasswordHasher(new PasswordHasher<AppUser>(sp.GetRequiredService<IOptions<PasswordHasherOptions>>()), PasswordHashing))));
        builder.UseSetting("Database:ConnectionString", ConnectionString);
        builder.UseSetting(PrivateNetworks.ConfigurationKey, AllowPrivateNetworks ? "true" : "false");
        builder.UseSetting("Media:TempFolder", MediaTempFolder);
        foreach (var (key, value) in ExtraSettings)
            builder.UseSetting(key, value);
    }

    public HttpClient NewClient() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Signs in through the real sign-in form, antiforgery token and all.</summary>
    public async Task<HttpClient> SignedInAsync(string role) => await SignInAsync(EmailFor(role), Password);

    public async Task<HttpClient> SignInAsync(string email, string password)
    {
        var client = NewClient();
        var response = await PostSignInAsync(client, email, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string email, string password)
    {
        var token = await AntiforgeryTokenAsync(client, "/Account/SignIn");
        return await client.PostAsync("/Account/SignIn", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["__RequestVerificationToken"] = token,
        }));
    }

    /// <summary>Posts a form to a page handler the way a browser does, with the page's antiforgery token.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string handler, params (string Name, string Value)[] fields)
    {
        var token = await AntiforgeryTokenAsync(client, path);
        var form = fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).Append(new("__RequestVerificationToken", token));
        return await client.PostAsync($"{path}?handler={handler}", new FormUrlEncodedContent(form));
    }

    /// <summary>Gives a signed-in client the antiforgery header the API needs, read from a page as the app's script reads it.</summary>
    public static async Task<HttpClient> WithApiTokenAsync(HttpClient client)
    {
        var html = await client.GetStringAsync("/Calendar");
        var match = Regex.Match(html, "name=\"request-verification-token\" content=\"([^\"]+)\"");
        Assert.True(match.Success, "No request-verification-token on /Calendar");
        client.DefaultRequestHeaders.Add("RequestVerificationToken", WebUtility.HtmlDecode(match.Groups[1].Value));
        return client;
    }

    public static async Task<string> AntiforgeryTokenAsync(HttpClient client, string page)
    {
        var html = await client.GetStringAsync(page);
        var match = Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"");
        Assert.True(match.Success, $"No antiforgery token on {page}");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }
}

/// <summary>Gives requests of the in-memory test server the loopback address a browser on this machine would have.</summary>
internal sealed class LoopbackAddressFilter : Microsoft.AspNetCore.Hosting.IStartupFilter
{
    public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, following) =>
        {
            context.Connection.RemoteIpAddress ??= IPAddress.Loopback;
            await following(context);
        });
        next(app);
    };
}

/// <summary>How many times the app verified a password against a hash.</summary>
public sealed class PasswordHashCounter
{
    private int _verifications;

    public int Verifications => Volatile.Read(ref _verifications);

    public void Count() => Interlocked.Increment(ref _verifications);
}

/// <summary>The app's own hasher, counted: tests see the work done without timing anything.</summary>
public sealed class CountingPasswordHasher(IPasswordHasher<AppUser> inner, PasswordHashCounter counter) : IPasswordHasher<AppUser>
{
    public string HashPassword(AppUser user, string password) => inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(AppUser user, string hashedPassword, string providedPassword)
    {
        counter.Count();
        return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}

/// <summary>The web app as installed: Publishing:AllowPrivateNetworks left off.</summary>
public sealed class PublicOnlyWebApp : PublisherWebApp
{
    protected override bool AllowPrivateNetworks => false;
}

/// <summary>The web app with small media limits (1 MB images, 2 MB videos, 4 megapixels), to send more than a limit cheaply.</summary>
public sealed class SmallMediaLimitsWebApp : PublisherWebApp
{
    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
    [
        new("Media:MaxImageBytes", (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Media:MaxVideoBytes", (2 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Media:MaxPixels", "4000000"),
    ];
}

[CollectionDefinition(Name)]
public sealed class WebAppCollection : ICollectionFixture<PublisherWebApp>
{
    public const string Name = "web app";
}
