using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;

namespace Publisher.Web.Api;

/// <summary>
/// The email and blog previews the editor shows while the author types: each rendered document is kept a few
/// minutes under the hash of its content, and served at <c>/api/render/html/{key}</c> into a sandboxed frame
/// as a document of its own. Its own strict policy lets the email's inline styles apply (a srcdoc frame would
/// inherit the editor's policy and lose them) while script, forms and every fetch stay off. The same content
/// gets the same address, so a keystroke that leaves the HTML unchanged does not reload the frame.
/// </summary>
public sealed class PreviewDocuments : IDisposable
{
    /// <summary>The policy every preview document is served with (the template editor's preview too).</summary>
    public const string Policy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; font-src data: https:; frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox";

    // Bounded by size (characters), so a busy editor cannot grow the process without limit; the oldest go first.
    private readonly MemoryCache _documents = new(new MemoryCacheOptions { SizeLimit = 64L * 1024 * 1024 });
    private static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(10);

    /// <summary>Keeps the document and returns its address.</summary>
    public string Store(string html)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(html)));
        _documents.Set(key, html, new MemoryCacheEntryOptions { Size = Math.Max(1, html.Length), SlidingExpiration = KeptFor });
        return "/api/render/html/" + key;
    }

    public string? Find(string key) => _documents.TryGetValue(key, out string? html) ? html : null;

    /// <summary>Serves a preview document under <see cref="Policy"/>, framable by our own pages only.</summary>
    public static IResult Serve(HttpContext http, string html)
    {
        http.Response.Headers.ContentSecurityPolicy = Policy;
        http.Response.Headers.XFrameOptions = "SAMEORIGIN";
        http.Response.Headers.CacheControl = "private, max-age=600";
        return Results.Content(html, "text/html; charset=utf-8");
    }

    public void Dispose() => _documents.Dispose();
}
