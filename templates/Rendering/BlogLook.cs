using System.Globalization;

namespace Publisher.Templates.Rendering;

/// <summary>
/// The public blog's stylesheet, built from the brand's look (palette, fonts, logo) for the article page and the
/// list of posts alike. The blog runs no script and loads nothing else, so the sheet goes inline in each page. Its
/// values come from a <see cref="LayoutBrand"/> (already checked); where a brand colour would be hard to read on
/// its background, a readable one is used instead.
/// </summary>
public static class BlogLook
{
    /// <summary>The CSS for a blog page.</summary>
    public static string Css(LayoutBrand brand)
    {
        var background = BrandStyle.Color(brand.BackgroundColor, "#f4f5f7");
        var text = BrandStyle.Readable(BrandStyle.Color(brand.TextColor, "#1b1f24"), "#ffffff", "#1b1f24");
        var primary = BrandStyle.Color(brand.PrimaryColor, "#1f3a5f");
        var onPrimary = BrandStyle.InkOn(primary);
        var link = BrandStyle.Readable(BrandStyle.Color(brand.AccentColor, "#d9480f"), "#ffffff", text);
        var footerLink = BrandStyle.Readable(link, background, text);
        var body = BrandStyle.FontStack(brand.FontFamily, "Helvetica, Arial, sans-serif");
        var headings = BrandStyle.FontStack(brand.HeadingFontFamily, "Georgia, serif");
        return string.Create(CultureInfo.InvariantCulture, $$"""
            * { box-sizing: border-box; }
            body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; background: {{background}}; color: {{text}}; font-family: {{body}}; font-size: 18px; line-height: 1.65; -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
            .site { background: {{primary}}; color: {{onPrimary}}; }
            .site-inner, .site-foot { width: 100%; max-width: 46rem; margin: 0 auto; padding: 14px 24px; }
            .site-inner { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 4px 16px; }
            .logo { color: {{onPrimary}}; font-family: {{headings}}; font-size: 24px; font-weight: 700; text-decoration: none; letter-spacing: 0.01em; }
            .site a:not(.logo) { color: {{onPrimary}}; font-size: 15px; }
            main { display: block; flex: 1 0 auto; width: 100%; max-width: 46rem; margin: 0 auto; padding: 40px 24px 56px; background: #ffffff; }
            h1, h2, h3 { font-family: {{headings}}; line-height: 1.2; color: {{text}}; overflow-wrap: break-word; }
            h1 { font-size: 2.25rem; margin: 0 0 0.4em; }
            h2 { font-size: 1.45rem; margin: 1.6em 0 0.5em; }
            a { color: {{link}}; }
            p, li { overflow-wrap: break-word; }
            img, video { max-width: 100%; height: auto; }
            figure { margin: 24px 0; }
            pre, code { white-space: pre-wrap; overflow-wrap: anywhere; }
            blockquote { margin: 1.2em 0; padding: 2px 18px; border-left: 4px solid {{primary}}; }
            .byline, time { color: #4b5563; font-size: 0.9em; }
            .standfirst { font-size: 1.15em; }
            article aside { margin: 1.6em 0; padding: 4px 20px; border-left: 4px solid {{primary}}; background: {{background}}; }
            article aside h2 { font-size: 1.1rem; margin-top: 0.8em; }
            .cta a { display: inline-block; background: {{primary}}; color: {{onPrimary}}; padding: 10px 20px; border-radius: 6px; text-decoration: none; font-weight: 700; }
            .posts { list-style: none; margin: 0; padding: 0; }
            .posts li { padding: 22px 0; border-bottom: 1px solid #e5e7eb; }
            .posts li:first-child { padding-top: 0; }
            .posts h2 { margin: 0 0 4px; font-size: 1.45rem; }
            .posts h2 a { color: {{text}}; text-decoration: none; }
            .posts h2 a:hover, .posts h2 a:focus { text-decoration: underline; }
            .posts p { margin: 6px 0 0; }
            .site-foot { padding: 24px 24px 40px; font-size: 15px; }
            .site-foot a { color: {{footerLink}}; }
            @media (max-width: 600px) {
              body { font-size: 17px; }
              .site-inner, .site-foot { padding-left: 18px; padding-right: 18px; }
              main { padding: 24px 18px 40px; }
              h1 { font-size: 1.75rem; }
              .posts h2 { font-size: 1.25rem; }
            }
            """);
    }
}
