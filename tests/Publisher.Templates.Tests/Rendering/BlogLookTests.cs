using Publisher.Templates.Model;
using Publisher.Templates.Rendering;

namespace Publisher.Templates.Tests.Rendering;

public class BlogLookTests
{
    [Theory]
    [InlineData("#ffffff", "#000000", 21.0)]
    [InlineData("#767676", "#ffffff", 4.54)]
    [InlineData("#1d9bf0", "#ffffff", 3.0)]
    public void Contrast_is_the_wcag_ratio(string a, string b, double expected)
    {
        Assert.Equal(expected, BrandStyle.Contrast(a, b), 2);
        Assert.Equal(expected, BrandStyle.Contrast(b, a), 2);
    }

    [Fact]
    public void A_brand_colour_that_would_not_read_gives_way_to_one_that_does()
    {
        // A pale accent on a white page: links take the text colour instead. A dark one stays.
        Assert.Equal("#1b1f24", BrandStyle.Readable("#f3e5d0", "#ffffff", "#1b1f24"));
        Assert.Equal("#1f4e79", BrandStyle.Readable("#1f4e79", "#ffffff", "#1b1f24"));
        // Header text: white on a dark primary, near-black on a light one.
        Assert.Equal("#ffffff", BrandStyle.InkOn("#4b2e2a"));
        Assert.Equal("#111827", BrandStyle.InkOn("#f3e5d0"));
        // Anything that is not a colour reads as no contrast at all, so the fallback is used; nothing throws.
        Assert.Equal(1, BrandStyle.Contrast("red; }", "#ffffff"));
        Assert.Equal("#000000", BrandStyle.Readable("", "#ffffff", "#000000"));
    }

    [Fact]
    public void The_blog_stylesheet_carries_the_brands_palette_and_fonts_and_is_made_for_phones_too()
    {
        var brand = LayoutBrand.Of(new BrandInput
        {
            Name = "Northwind Coffee", PrimaryColor = "#4B2E2A", AccentColor = "#1F4E79", BackgroundColor = "#F3E5D0",
            FontFamily = "Inter, system-ui, sans-serif", HeadingFontFamily = "Fraunces, Georgia, serif",
        });

        var css = BlogLook.Css(brand);

        Assert.Contains(".site { background: #4B2E2A; color: #ffffff; }", css);
        Assert.Contains("a { color: #1F4E79; }", css);
        Assert.Contains("background: #F3E5D0;", css);
        Assert.Contains("font-family: Fraunces, Georgia, serif;", css);
        Assert.Contains("font-family: Inter, system-ui, sans-serif;", css);
        Assert.Contains("@media (max-width: 600px)", css);
        Assert.DoesNotContain("<", css); // it goes inside a <style> element: nothing can close it
    }
}
