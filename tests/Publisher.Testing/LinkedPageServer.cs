using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Publisher.Testing;

/// <summary>One thing <see cref="LinkedPageServer"/> serves at a path.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="ContentType">Its Content-Type, or null for none.</param>
/// <param name="Body">The bytes sent.</param>
/// <param name="Location">A redirect's target, for a 3xx.</param>
/// <param name="Delay">How long it waits before answering, as a slow site does.</param>
public sealed record LinkedPage(int Status, string? ContentType, byte[] Body, string? Location = null, TimeSpan Delay = default)
{
    public static LinkedPage Html(string html) => new(200, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(html));

    public static LinkedPage Bytes(string contentType, byte[] bytes) => new(200, contentType, bytes);

    public static LinkedPage Redirect(string location) => new(302, null, [], location);
}

/// <summary>
/// Someone's web site on 127.0.0.1 (Kestrel, port 0), for link cards: the pages and images a test puts at each
/// path, 404 elsewhere, and a record of the paths asked for (with their User-Agent), so a test can tell whether the
/// site was read at all.
/// </summary>
public sealed class LinkedPageServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, LinkedPage> _pages = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Path, string? UserAgent)> _requests = new();

    public LinkedPageServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(ServeAsync);
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address.TrimEnd('/') + "/");
    }

    public Uri BaseUri { get; }

    public Uri Address(string path) => new(BaseUri, path.TrimStart('/'));

    public void Put(string path, LinkedPage page) => _pages["/" + path.TrimStart('/')] = page;

    /// <summary>The paths requested so far, in order.</summary>
    public IReadOnlyList<string> Requested => _requests.Select(r => r.Path).ToList();

    public IReadOnlyList<string?> UserAgents => _requests.Select(r => r.UserAgent).ToList();

    private async Task ServeAsync(HttpContext context)
    {
        _requests.Enqueue((context.Request.Path.Value ?? "/", context.Request.Headers.UserAgent.ToString()));
        if (!_pages.TryGetValue(context.Request.Path.Value ?? "/", out var page))
        {
            context.Response.StatusCode = 404;
            return;
        }
        if (page.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(page.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        context.Response.StatusCode = page.Status;
        if (page.ContentType is not null) context.Response.ContentType = page.ContentType;
        if (page.Location is not null) context.Response.Headers.Location = page.Location;
        context.Response.ContentLength = page.Body.Length;
        try
        {
            await context.Response.Body.WriteAsync(page.Body, context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client stopped reading (a size limit, a timeout): that is its right.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
