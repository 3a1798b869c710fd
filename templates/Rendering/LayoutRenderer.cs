using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Razor.Language;
using Microsoft.CodeAnalysis;
using Publisher.Templates.Model;
using RazorLight;
using RazorLight.Caching;
using RazorLight.Compilation;
using RazorLight.Generation;
using RazorLight.Razor;

namespace Publisher.Templates.Rendering;

/// <summary>What the branded email layout shows around the rendered content.</summary>
public sealed record EmailLayoutModel
{
    /// <summary>Email subject (also the HTML title).</summary>
    public string Subject { get; init; } = "";
    /// <summary>Preview text shown after the subject in the inbox, hidden in the body.</summary>
    public string Preheader { get; init; } = "";
    /// <summary>The brand's logo text, colours and fonts.</summary>
    public LayoutBrand Brand { get; init; } = new();
    /// <summary>Sanitized HTML of the message content.</summary>
    public string ContentHtml { get; init; } = "";
    /// <summary>Footer line.</summary>
    public string? FooterText { get; init; }
    /// <summary>Sender's postal address.</summary>
    public string? PostalAddress { get; init; }
    /// <summary>The brand's website (http or https only).</summary>
    public string? WebsiteUrl { get; init; }
    /// <summary>The website shown as text.</summary>
    public string? WebsiteLabel { get; init; }
}

/// <summary>What the blog article page shows around the rendered article.</summary>
public sealed record BlogPageModel
{
    /// <summary>Article title.</summary>
    public string Title { get; init; } = "";
    /// <summary>Brand name (in the title and feed link).</summary>
    public string BrandName { get; init; } = "";
    /// <summary>The brand's logo text, colours and fonts.</summary>
    public LayoutBrand Brand { get; init; } = new();
    /// <summary>Meta description.</summary>
    public string? Description { get; init; }
    /// <summary>The article's own address.</summary>
    public string? CanonicalUrl { get; init; }
    /// <summary>The blog's Atom feed address.</summary>
    public string? FeedUrl { get; init; }
    /// <summary>The blog's list of posts, which the logo links to (the site's own <c>/blog</c> when not set).</summary>
    public string? IndexUrl { get; init; }
    /// <summary>Sanitized article HTML.</summary>
    public string ArticleHtml { get; init; } = "";
}

/// <summary>What the blog's list of posts shows.</summary>
public sealed record BlogIndexModel
{
    /// <summary>Brand name (the page title and heading).</summary>
    public string BrandName { get; init; } = "";
    /// <summary>The brand's logo text, colours and fonts.</summary>
    public LayoutBrand Brand { get; init; } = new();
    /// <summary>The blog's Atom feed address.</summary>
    public string? FeedUrl { get; init; }
    /// <summary>The posts, newest first.</summary>
    public IReadOnlyList<BlogIndexEntry> Posts { get; init; } = [];
}

/// <summary>One post in the blog's list.</summary>
/// <param name="Title">The post's title.</param>
/// <param name="Url">Its address.</param>
/// <param name="PublishedAt">When it was published, if known.</param>
/// <param name="DateText">That date as readers see it.</param>
/// <param name="Summary">Its summary, if any.</param>
public sealed record BlogIndexEntry(string Title, string Url, DateTimeOffset? PublishedAt, string? DateText, string? Summary);

/// <summary>The brand's look as both layouts use it, each value already checked (colours and font stacks by <see cref="BrandStyle"/>).</summary>
public sealed record LayoutBrand
{
    /// <summary>Logo text in the header.</summary>
    public string LogoText { get; init; } = "";
    /// <summary>Header and button colour.</summary>
    public string PrimaryColor { get; init; } = "";
    /// <summary>Link colour.</summary>
    public string AccentColor { get; init; } = "";
    /// <summary>Page background colour.</summary>
    public string BackgroundColor { get; init; } = "";
    /// <summary>Body text colour.</summary>
    public string TextColor { get; init; } = "";
    /// <summary>Body font stack, safe CSS.</summary>
    public string FontFamily { get; init; } = "";
    /// <summary>Heading font stack, safe CSS.</summary>
    public string HeadingFontFamily { get; init; } = "";

    /// <summary>The brand's look with every value checked, and the defaults where one is missing or unsafe.</summary>
    public static LayoutBrand Of(BrandInput brand) => new()
    {
        LogoText = string.IsNullOrWhiteSpace(brand.LogoText) ? brand.Name : brand.LogoText,
        PrimaryColor = BrandStyle.Color(brand.PrimaryColor, "#1f3a5f"),
        AccentColor = BrandStyle.Color(brand.AccentColor, "#d9480f"),
        BackgroundColor = BrandStyle.Color(brand.BackgroundColor, "#f4f5f7"),
        TextColor = BrandStyle.Color(brand.TextColor, "#1b1f24"),
        FontFamily = BrandStyle.FontStack(brand.FontFamily, "Helvetica, Arial, sans-serif"),
        HeadingFontFamily = BrandStyle.FontStack(brand.HeadingFontFamily, "Georgia, serif"),
    };
}

/// <summary>
/// Renders the fixed Razor layouts (the branded email and the blog page) with RazorLight. The layouts
/// are part of the product, not brand-editable; brand data reaches them only as HTML-encoded text
/// and as colours and font stacks that <see cref="BrandStyle"/> has checked.
/// </summary>
public sealed class LayoutRenderer
{
    private readonly RazorLightEngine _engine = CreateEngine();

    /// <summary>Renders the email layout.</summary>
    public string RenderEmail(EmailLayoutModel model) => Render("EmailLayout", model);

    /// <summary>Renders the blog article page.</summary>
    public string RenderBlogPage(BlogPageModel model) => Render("BlogPage", model);

    /// <summary>Renders the blog's list of posts.</summary>
    public string RenderBlogIndex(BlogIndexModel model) => Render("BlogIndex", model);

    /// <summary>Compiles the layouts now, so the first render does not pay for it.</summary>
    public void WarmUp()
    {
        RenderEmail(new EmailLayoutModel());
        RenderBlogPage(new BlogPageModel());
        RenderBlogIndex(new BlogIndexModel());
    }

    // RazorLight's own builder finds the assemblies to compile against in the host's .deps.json, which
    // holds them only when the host sets PreserveCompilationContext (web, worker and benchmark hosts do
    // not), and fails otherwise. So the engine is put together here with a reference list taken from
    // the assemblies the runtime itself trusts, which works in any host.
    private static RazorLightEngine CreateEngine()
    {
        var assembly = typeof(LayoutRenderer).Assembly;
        var project = new EmbeddedRazorProject(assembly, "Publisher.Templates.Defaults");
        var razorEngine = typeof(RazorLightEngine).Assembly.GetType("RazorLight.DefaultRazorEngine")
            ?.GetProperty("Instance", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?.GetValue(null) as RazorEngine;
        if (razorEngine is null)
        {
            // A RazorLight version without that type: fall back to its builder (needs PreserveCompilationContext).
            return new RazorLightEngineBuilder().UseProject(project).SetOperatingAssembly(assembly).UseMemoryCachingProvider().Build();
        }
        var options = new RazorLightOptions { OperatingAssembly = assembly, CachingProvider = new MemoryCachingProvider() };
        var compilation = new RoslynCompilationService(new TrustedPlatformReferences(), assembly, null!);
        var generator = new RazorSourceGenerator(razorEngine, project, options.Namespaces);
        var compiler = new RazorTemplateCompiler(generator, compilation, project, options);
        var handler = new EngineHandler(options, compiler, new TemplateFactoryProvider(), options.CachingProvider);
        return new RazorLightEngine(handler);
    }

    /// <summary>Every managed assembly the runtime loaded this app with: the framework, RazorLight, this library.</summary>
    private sealed class TrustedPlatformReferences : IMetadataReferenceManager
    {
        private IReadOnlyList<MetadataReference>? _references;

        public HashSet<MetadataReference> AdditionalMetadataReferences { get; } = [];

        public IReadOnlyList<MetadataReference> Resolve(Assembly assembly) => _references ??= Load();

        private static List<MetadataReference> Load()
        {
            var paths = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Concat([typeof(LayoutRenderer).Assembly.Location, typeof(RazorLightEngine).Assembly.Location])
                .Where(p => p.Length > 0 && File.Exists(p))
                .Distinct(StringComparer.Ordinal);
            var references = new List<MetadataReference>();
            foreach (var path in paths)
            {
                try
                {
                    references.Add(MetadataReference.CreateFromFile(path));
                }
                catch (Exception ex) when (ex is IOException or BadImageFormatException or UnauthorizedAccessException)
                {
                    // Not a managed assembly Roslyn can read: the layouts do not need it.
                }
            }
            return references;
        }
    }

    // RazorLight is async-only; the layouts do no I/O once compiled, so waiting here does not block on anything.
    private string Render<T>(string key, T model) => _engine.CompileRenderAsync(key, model).GetAwaiter().GetResult();
}

/// <summary>Checks brand colours and fonts before they are written into CSS.</summary>
public static partial class BrandStyle
{
    /// <summary>The colour if it is a hex colour (<c>#rgb</c>, <c>#rrggbb</c>, <c>#rrggbbaa</c>), otherwise <paramref name="fallback"/>.</summary>
    public static string Color(string? value, string fallback) =>
        value is not null && HexColor().IsMatch(value.Trim()) ? value.Trim() : fallback;

    /// <summary>
    /// The font stack if it holds only names, spaces, commas, quotes and hyphens (double quotes become
    /// single quotes, since the stack is written inside HTML attributes), otherwise <paramref name="fallback"/>.
    /// </summary>
    public static string FontStack(string? value, string fallback)
    {
        var stack = value?.Replace('"', '\'').Trim();
        return stack is not null && SafeFontStack().IsMatch(stack) ? stack : fallback;
    }

    /// <summary>
    /// <paramref name="color"/> when text in it reads on <paramref name="background"/> (a contrast of 4.5:1 or more, as WCAG
    /// asks of body text), otherwise <paramref name="fallback"/>. Both colours must be checked hex colours.
    /// </summary>
    public static string Readable(string color, string background, string fallback) =>
        Contrast(color, background) >= 4.5 ? color : fallback;

    /// <summary>White or near-black, whichever reads better on <paramref name="background"/>.</summary>
    public static string InkOn(string background) =>
        Contrast("#ffffff", background) >= Contrast("#111827", background) ? "#ffffff" : "#111827";

    /// <summary>The WCAG contrast ratio of two hex colours (1 to 21; 1 when either is not a hex colour); the alpha of #rrggbbaa is ignored.</summary>
    public static double Contrast(string a, string b)
    {
        if (!HexColor().IsMatch(a) || !HexColor().IsMatch(b))
            return 1; // unknown: treated as unreadable, so callers fall back
        var (la, lb) = (Luminance(a), Luminance(b));
        return (Math.Max(la, lb) + 0.05) / (Math.Min(la, lb) + 0.05);
    }

    private static double Luminance(string hex)
    {
        var digits = hex.TrimStart('#');
        if (digits.Length == 3)
            digits = string.Concat(digits.Select(c => new string(c, 2)));
        double Channel(int at)
        {
            var c = Convert.ToInt32(digits.Substring(at, 2), 16) / 255.0;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * Channel(0) + 0.7152 * Channel(2) + 0.0722 * Channel(4);
    }

    [GeneratedRegex("^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")]
    private static partial Regex HexColor();

    [GeneratedRegex("^[A-Za-z0-9 ,'\\-]{1,200}$")]
    private static partial Regex SafeFontStack();
}
