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
        var html = _converter.ToSafeHtml("<javascript:alert(1)> ![pixel](data:image/png;base64,AAAA) ![logo](https://example.com/l.png) <vbscript:x>");
        Assert.DoesNotContain("href=\"javascript", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=\"data:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"vbscript", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("src=\"https://example.com/l.png\"", html);
        Assert.Empty(_converter.FindUnsafeHtml(html));
    }

    [Fact]
    public void Unsafe_html_from_elsewhere_is_described_by_what_would_be_removed()
    {
        var findings = _converter.FindUnsafeHtml("<p onclick=\"steal()\">Hi</p><script>x()</script><a href=\"https://example.com\">ok</a>");
        Assert.Contains("<script>", findings);
        Assert.Contains(findings, f => f.Contains("onclick"));
        Assert.Equal(2, findings.Count);
    }
}
