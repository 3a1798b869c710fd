using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Publisher.Web.Tests.Browser;

/// <summary>
/// The brand's own site on loopback: a landing page under a strict CSP that loads Publisher's /t.js (with
/// <c>scriptAttributes</c>, e.g. <c> data-consent="required"</c>) and its own form script (no inline script).
/// </summary>
public sealed class BrandSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BrandSite(WebApplication app, string origin) => (_app, Origin) = (app, origin);

    public string Origin { get; }

    public static async Task<BrandSite> StartAsync(string publisher, string scriptAttributes = "")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/autumn", (HttpContext http) =>
        {
            http.Response.Headers.ContentSecurityPolicy = $"default-src 'self'; script-src 'self' {publisher}; connect-src {publisher}";
            return Results.Content($$"""
                <!doctype html><html><head><title>Autumn Blend</title>
                <script src="{{publisher}}/t.js" defer{{scriptAttributes}}></script><script src="/site.js" defer></script></head>
                <body><h1>Autumn Blend</h1><p id="ready" hidden>ready</p>
                <form id="contact"><input id="email" type="email" required><button id="send">Send</button></form>
                <p id="thanks" hidden>Thank you</p></body></html>
                """, "text/html");
        });
        app.MapGet("/site.js", () => Results.Content("""
            if (window.publisher) document.getElementById('ready').hidden = false;
            document.getElementById('contact').addEventListener('submit', function (e) {
              e.preventDefault();
              publisher.track('contact', { id: 'form-' + Date.now(), email: document.getElementById('email').value });
              document.getElementById('thanks').hidden = false;
            });
            """, "text/javascript"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return new BrandSite(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
