using Publisher.Templates.Html;
using Publisher.Templates.Markdown;

namespace Publisher.Templates.Tests.Markdown;

public class MarkdownConverterTests
{
    private readonly MarkdownConverter _converter = new();

    [Fact]
    public void Raw_html_in_markdown_comes_out_as_visible_text_not_markup()
    {
        var html = _converter.ToSafeHtml("Hello <script>alert('x')</script> <img src=x onerror=alert(1)>");
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", html);
    }

    [Fact]
    public void Javascript_links_lose_their_target_in_html_and_in_plain_text()
    {
        const string markdown = "[click](javascript:alert(1)) and [ok](https://example.com)";
        var html = _converter.ToSafeHtml(markdown);
        Assert.DoesNotContain("javascript", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("href=\"https://example.com\"", html);
        Assert.Equal("click and ok (https://example.com)", MarkdownConverter.ToPlainText(markdown));
    }

    [Fact]
    public void Plain_text_keeps_links_as_urls_and_drops_emphasis()
    {
        var text = MarkdownConverter.ToPlainText("# Title\n\nSee **the** [guide](https://example.com/g), or https://example.com/raw.\n\n- one\n- two");
        Assert.Equal("Title\n\nSee the guide (https://example.com/g), or https://example.com/raw.\n\n• one\n• two", text);
    }

    [Fact]
    public void A_link_whose_label_is_its_address_is_written_once()
    {
        Assert.Equal("Go to https://example.com now", MarkdownConverter.ToPlainText("Go to [https://example.com](https://example.com) now"));
    }

    [Fact]
    public void Unsafe_autolinks_and_image_sources_never_reach_an_attribute()
    {
        var images = new ImagePolicy { Hosts = ["example.com"] };
        var html = _converter.ToSafeHtml("<javascript:alert(1)> ![pixel](data:image/png;base64,AAAA) ![logo](https://example.com/l.png) <vbscript:x>", images);
        Assert.DoesNotContain("href=\"javascript", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=\"data:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"vbscript", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("src=\"https://example.com/l.png\"", html);
        Assert.Empty(SafeHtmlPolicy.Instance.SanitizeFragment(html, images).Removed);
    }

    [Fact]
    public void Images_stay_only_from_the_brands_media_and_allowed_hosts()
    {
        var images = new ImagePolicy { MediaBaseUrl = "https://publisher.example/media/", Hosts = ["cdn.brand.example"] };
        var html = _converter.ToSafeHtml(
            "![a](https://cdn.brand.example/a.png) ![b](https://publisher.example/media/0123/b.png) ![c](/media/0123/c.png) " +
            "![pixel](https://tracker.example/p.gif) ![d](http://cdn.brand.example/d.png) ![e](https://cdn.brand.example.evil.example/e.png)", images);
        Assert.Contains("https://cdn.brand.example/a.png", html);
        Assert.Contains("https://publisher.example/media/0123/b.png", html);
        Assert.Contains("/media/0123/c.png", html);
        Assert.DoesNotContain("tracker.example", html);
        Assert.DoesNotContain("http://cdn.brand.example", html);
        Assert.DoesNotContain("evil.example", html);
    }
}
