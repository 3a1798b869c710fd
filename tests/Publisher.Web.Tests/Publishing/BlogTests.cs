using System.Net;
using System.Xml.Linq;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Publishing;

/// <summary>The public blog: published Blog variants as pages and in the Atom feed, and nothing else.</summary>
[Collection(WebAppCollection.Name)]
public class BlogTests(PublisherWebApp app)
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";

    /// <summary>Renders a blog variant the way the editor does, then puts it in <paramref name="state"/>.</summary>
    private async Task<Guid> BlogVariantAsync(string title, string slug, VariantState state)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var composer = scope.ServiceProvider.GetRequiredService<VariantComposer>();
        var author = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(PublisherWebApp.EmailFor(Roles.Marketer));
        var account = new ChannelAccount { Name = $"Blog {Guid.NewGuid():N}", Kind = "Blog" };
        var message = new Message { Title = title, BodyMarkdown = "Our **spring blend** has notes of cherry.\n\n<script>alert(1)</script>", Summary = "Cherry and cocoa.", AuthorId = author!.Id, TimeZone = "Europe/Paris" };
        var variant = new Variant { MessageId = message.Id, ChannelAccountId = account.Id };
        var context = await composer.LoadContextAsync();
        composer.Apply(context, variant, message, account, composer.Render(context, variant.Id, message, account, null, "Max"), []);
        variant.State = state;
        variant.ExternalId = slug;
        variant.PublishedAt = state == VariantState.Published ? DateTimeOffset.UtcNow : null;
        message.Variants.Add(variant);
        db.AddRange(account, message);
        await db.SaveChangesAsync();
        return variant.Id;
    }

    [Fact]
    public async Task A_published_post_is_on_its_page_in_the_index_and_in_a_valid_Atom_feed_and_unpublished_ones_are_not()
    {
        var slug = "spring-blend-" + Guid.NewGuid().ToString("N")[..6];
        await BlogVariantAsync("Spring blend is here", slug, VariantState.Published);
        var draftSlug = "draft-" + Guid.NewGuid().ToString("N")[..6];
        await BlogVariantAsync("Not yet", draftSlug, VariantState.Scheduled);
        var visitor = app.NewClient(); // not signed in

        var page = await visitor.GetAsync($"/blog/{slug}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<strong>spring blend</strong>", html);
        Assert.DoesNotContain("<script>", html);
        Assert.StartsWith("default-src 'none';", page.Headers.GetValues("Content-Security-Policy").Single()); // no script may run
        Assert.Equal(HttpStatusCode.NotFound, (await visitor.GetAsync($"/blog/{draftSlug}")).StatusCode);

        var index = await visitor.GetStringAsync("/blog");
        Assert.Contains($"href=\"/blog/{slug}\"", index);
        Assert.DoesNotContain(draftSlug, index);

        var feedResponse = await visitor.GetAsync("/blog/feed.atom");
        Assert.Equal("application/atom+xml", feedResponse.Content.Headers.ContentType!.MediaType);
        var feed = XDocument.Parse(await feedResponse.Content.ReadAsStringAsync());
        Assert.Equal(Atom + "feed", feed.Root!.Name);
        Assert.NotNull(feed.Root.Element(Atom + "updated"));
        var entry = Assert.Single(feed.Root.Elements(Atom + "entry"), e => e.Element(Atom + "title")!.Value == "Spring blend is here");
        Assert.EndsWith($"/blog/{slug}", entry.Element(Atom + "id")!.Value);
        Assert.EndsWith($"/blog/{slug}", entry.Elements(Atom + "link").Single(l => (string?)l.Attribute("rel") == "alternate").Attribute("href")!.Value);
        Assert.Contains("spring blend", entry.Element(Atom + "content")!.Value);
        Assert.DoesNotContain(feed.Root.Elements(Atom + "entry"), e => e.Element(Atom + "title")!.Value == "Not yet");
    }

    [Fact]
    public async Task The_list_of_posts_and_an_article_wear_the_brands_look_from_the_style_guide_and_run_no_script()
    {
        var slug = "brand-look-" + Guid.NewGuid().ToString("N")[..6];
        await BlogVariantAsync("A post in the brand's look", slug, VariantState.Published);
        Publisher.Templates.Model.BrandInput brand;
        await using (var scope = app.Services.CreateAsyncScope())
            brand = (await scope.ServiceProvider.GetRequiredService<VariantComposer>().LoadContextAsync()).Brand;
        var visitor = app.NewClient();

        foreach (var path in new[] { "/blog", $"/blog/{slug}" })
        {
            var response = await visitor.GetAsync(path);
            var html = await response.Content.ReadAsStringAsync();
            // The style guide's palette, fonts and logo, in a page made for phones too.
            Assert.Contains($".site {{ background: {brand.PrimaryColor};", html);
            Assert.Contains(brand.HeadingFontFamily.Replace('"', '\''), html);
            Assert.Contains($"<a class=\"logo\" href=\"", html);
            Assert.Contains(string.IsNullOrWhiteSpace(brand.LogoText) ? brand.Name : brand.LogoText, html);
            Assert.Contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", html);
            Assert.Contains("@media (max-width: 600px)", html);
            // No script at all, on the list or an article: the article's views are counted by the app as it serves the
            // page, and the policy forbids any script, the app's own included.
            Assert.DoesNotMatch("(?i)<script", html);
            var policy = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.StartsWith("default-src 'none'; script-src 'none';", policy);
            Assert.DoesNotContain("'self'; connect-src", policy);
            Assert.Contains("form-action 'none'", policy);
            Assert.Contains("base-uri 'none'", policy);
        }
        // The article leads back to the list.
        Assert.Contains("href=\"" + (brand.BlogUrl ?? "/blog") + "\">All posts</a>", await visitor.GetStringAsync($"/blog/{slug}"));
    }
}
