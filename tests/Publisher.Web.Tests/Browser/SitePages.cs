using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Publisher.Web.Tests.Browser;

/// <summary>
/// Every page a signed-in person reaches, found the way they find them: the navigation's links, then every link on
/// those pages (one page of each kind: <c>/Variants/{id}</c> once, not once per post). A page added later is found
/// as soon as something links to it. Pages that only some data leads to (a review, a stale hand edit, an error)
/// are added by the caller.
/// </summary>
public static partial class SitePages
{
    /// <summary>Visits each page once and hands it to <paramref name="check"/>; downloads and the third-party job dashboard are left out.</summary>
    public static async Task VisitAsync(DemoSite site, IPage page, IEnumerable<string> extras, Func<string, Task> check)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<(string Path, bool Follow)>();
        void Enqueue(string path, bool follow)
        {
            if (Checkable(path) && seen.Add(Shape(path)))
                queue.Enqueue((path, follow));
        }

        await page.GotoAsync(site.BaseUrl + "/Calendar");
        foreach (var href in await page.Locator("nav.mainnav a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"))
            Enqueue(href, follow: true);
        foreach (var path in extras)
        {
            // Chosen on purpose, so each is checked even when a page of its kind already was.
            if (seen.Add("!" + path))
                queue.Enqueue((path, false));
        }

        while (queue.TryDequeue(out var next))
        {
            var response = await page.GotoAsync(site.BaseUrl + next.Path);
            var type = response?.Headers.GetValueOrDefault("content-type") ?? "";
            if (!type.StartsWith("text/html", StringComparison.OrdinalIgnoreCase))
                continue;
            await check(next.Path);
            if (!next.Follow)
                continue;
            var links = await page.Locator("main a[href], .page a[href]").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
            foreach (var href in links)
                Enqueue(href, follow: false);
        }
    }

    /// <summary>Our own pages only: not other sites, not the job dashboard (Hangfire's own), not downloads or feeds.</summary>
    private static bool Checkable(string? href) =>
        href is { Length: > 1 } && href.StartsWith('/') && !href.StartsWith("//", StringComparison.Ordinal)
        && !href.StartsWith("/jobs", StringComparison.OrdinalIgnoreCase)
        && !href.StartsWith("/api/", StringComparison.OrdinalIgnoreCase)
        && !href.Contains("handler=", StringComparison.OrdinalIgnoreCase)
        && !href.EndsWith(".atom", StringComparison.OrdinalIgnoreCase)
        && !href.StartsWith("/Account/SignOut", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A page's kind: its first two path segments (ids replaced), anything deeper as one placeholder
    /// (<c>/Templates/Edit/X</c> and <c>/Templates/Edit/Email</c> are one kind), and the calendar's view, which changes the page.
    /// </summary>
    public static string Shape(string href)
    {
        var path = href.Split('#')[0];
        var query = path.Contains('?') ? path[(path.IndexOf('?') + 1)..] : "";
        var segments = Id().Replace(path.Split('?')[0], "{id}").Trim('/').Split('/');
        var view = Regex.Match(query, "(?:^|&)view=([a-z]+)").Groups[1].Value;
        return string.Join('/', segments.Take(2)).ToLowerInvariant() + (segments.Length > 2 ? "/{*}" : "") + (view.Length > 0 ? "?view=" + view : "");
    }

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Id();
}
