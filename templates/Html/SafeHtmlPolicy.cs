using System.Xml;
using System.Xml.Linq;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Ganss.Xss;
using Publisher.Templates.Model;

namespace Publisher.Templates.Html;

/// <summary>HTML after <see cref="SafeHtmlPolicy"/>, and a description of each thing it removed (empty when it removed nothing).</summary>
/// <param name="Html">The safe HTML.</param>
/// <param name="Removed">What was taken out, like "&lt;form&gt;" or "the attribute onclick on &lt;a&gt;", each once.</param>
public sealed record SanitizedHtml(string Html, IReadOnlyList<string> Removed);

/// <summary>
/// The one policy for every piece of HTML Publisher produces from a template: the email's content and its
/// branded layout, the blog article and its page, and the HTML inside the blog's Atom entries. Every render
/// passes its output through it before the output is stored, hashed for approval, previewed or sent, so what
/// goes out is safe whatever a template says. Allowed: the text and layout elements email and blog posts
/// use (headings, paragraphs, lists, tables, links, images, emphasis, quotes, code), inline styles whose
/// properties and values pass <see cref="CssDeclarations"/>, links to http, https and mailto addresses, and
/// images only as <see cref="ImagePolicy"/> says. Never: script or style elements, forms and their
/// controls, frames, objects and embeds, media, event attributes, <c>javascript:</c>, <c>data:</c> or
/// <c>vbscript:</c> addresses, anything that loads from CSS.
/// </summary>
public sealed class SafeHtmlPolicy
{
    /// <summary>The policy (it holds no state between calls; thread-safe).</summary>
    public static SafeHtmlPolicy Instance { get; } = new();

    /// <summary>The deepest nesting of elements accepted; deeper HTML is refused before it is parsed (see <see cref="FindTooDeep"/>).</summary>
    public const int MaxDepth = 256;

    /// <summary>Elements a template's HTML may contain.</summary>
    public static readonly IReadOnlySet<string> FragmentTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo", "blockquote", "br", "caption", "center", "cite", "code", "col",
        "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3",
        "h4", "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "li", "main", "mark", "ol", "p", "pre", "q", "s", "samp", "section",
        "small", "span", "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt",
        "u", "ul", "var", "wbr",
    };

    /// <summary>What a whole page (the layouts) may add around that: the document's own elements.</summary>
    public static readonly IReadOnlySet<string> DocumentTags = new HashSet<string>(FragmentTags.Concat(["html", "head", "body", "meta", "title", "link", StyleHolder]), StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string> Attributes = new(StringComparer.OrdinalIgnoreCase)
    {
        "href", "src", "alt", "title", "width", "height", "class", "role", "datetime", "cite", "lang", "dir", "colspan", "rowspan",
        "align", "valign", "border", "cellpadding", "cellspacing", "bgcolor", "color", "face", "size", "start", "reversed", "type",
        "aria-label", "aria-hidden", "scope", "headers", "abbr", "open", StyleHolder,
        // Responsive images (the blog's attached media): srcset's addresses are held to the image policy in Run.
        "srcset", "sizes", "loading",
    };

    // On the layouts' <meta> and <link> only.
    private static readonly HashSet<string> DocumentAttributes = new(StringComparer.OrdinalIgnoreCase) { "charset", "name", "content", "rel" };

    private static readonly HashSet<string> MetaNames = new(StringComparer.OrdinalIgnoreCase) { "viewport", "description", "color-scheme", "supported-color-schemes" };
    private static readonly HashSet<string> LinkRelations = new(StringComparer.OrdinalIgnoreCase) { "canonical", "alternate" };

    // HtmlSanitizer rewrites CSS it checks (colours become rgba(), which email clients ignore), so styles travel
    // under this name through it and are checked by CssDeclarations instead; no template can write the name itself.
    private const string StyleHolder = "data-publisher-style";

    [ThreadStatic] private static PolicySanitizer? t_fragment;
    [ThreadStatic] private static PolicySanitizer? t_document;

    private SafeHtmlPolicy()
    {
    }

    /// <summary>
    /// The 1-based line where <paramref name="html"/> first nests deeper than <see cref="MaxDepth"/> elements; null
    /// when it does not. Call it before sanitizing text of unknown shape: parsing deeper markup is what is slow.
    /// </summary>
    public static int? FindTooDeep(string html) => MarkupNesting.FindTooDeep(html, MaxDepth);

    /// <summary>Sanitizes HTML meant for inside a page's body (what a template writes).</summary>
    public SanitizedHtml SanitizeFragment(string html, ImagePolicy images)
    {
        var sanitizer = t_fragment ??= new PolicySanitizer(FragmentTags, document: false);
        var parser = new HtmlParser();
        var dom = parser.ParseDocument("<!DOCTYPE html><html><body>" + html);
        var removed = sanitizer.Run(dom, (IHtmlElement)dom.Body!, images);
        return new SanitizedHtml(dom.Body!.ChildNodes.ToHtml(sanitizer.OutputFormatter), removed);
    }

    /// <summary>Sanitizes a whole page (a layout with its content): the fragment rules plus the document's head.</summary>
    public SanitizedHtml SanitizeDocument(string html, ImagePolicy images)
    {
        var sanitizer = t_document ??= new PolicySanitizer(DocumentTags, document: true);
        var dom = new HtmlParser().ParseDocument(html);
        var removed = sanitizer.Run(dom, (IHtmlElement)dom.DocumentElement, images);
        return new SanitizedHtml(dom.ToHtml(sanitizer.OutputFormatter), removed);
    }

    /// <summary>
    /// Sanitizes an Atom <c>&lt;entry&gt;</c>: the HTML of every <c>type="html"</c> element (and <c>type="xhtml"</c>,
    /// which becomes html), only http(s) link addresses, and only Atom's own elements (another namespace could
    /// carry anything to a feed reader). The entry must be well-formed XML; null when it is not.
    /// </summary>
    public SanitizedHtml? SanitizeFeedEntry(string entry, ImagePolicy images)
    {
        XElement root;
        try
        {
            using var reader = XmlReader.Create(new StringReader(entry), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            root = XElement.Load(reader, LoadOptions.PreserveWhitespace);
        }
        catch (XmlException)
        {
            return null;
        }
        XNamespace atom = "http://www.w3.org/2005/Atom";
        var removed = new List<string>();
        foreach (var element in root.DescendantsAndSelf().Where(e => e.Name.Namespace != atom).ToList())
        {
            removed.Add($"the feed element <{element.Name.LocalName}>");
            element.Remove();
        }
        foreach (var attribute in root.DescendantsAndSelf().Attributes().Where(a => a.Name.Namespace == XNamespace.Xml && a.Name.LocalName == "base").ToList())
        {
            removed.Add("the attribute xml:base");
            attribute.Remove();
        }
        foreach (var element in root.DescendantsAndSelf().ToList())
        {
            foreach (var name in new[] { "href", "src", "uri" })
            {
                if (element.Attribute(name) is { } address && !WebAddress.IsWeb(address.Value))
                {
                    removed.Add($"the address {Shorten(address.Value)} on <{element.Name.LocalName}>");
                    address.Remove();
                }
            }
            var type = (string?)element.Attribute("type");
            if (type is "html" or "xhtml")
            {
                var html = type == "html" ? element.Value : string.Concat(element.Elements().SelectMany(e => e.Nodes()).Select(n => n.ToString()));
                var clean = SanitizeFragment(html, images);
                removed.AddRange(clean.Removed);
                element.RemoveNodes();
                element.SetAttributeValue("type", "html");
                element.Value = clean.Html;
            }
            else if (element.Name.LocalName == "uri" && !WebAddress.IsWeb(element.Value))
            {
                removed.Add($"the address {Shorten(element.Value)} in <uri>");
                element.Remove();
            }
        }
        return new SanitizedHtml(removed.Count == 0 ? entry : root.ToString(SaveOptions.DisableFormatting), removed.Distinct().ToList());
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";

    /// <summary>HtmlSanitizer set up for the policy, one per thread and mode (it is not safe to share while it runs).</summary>
    private sealed class PolicySanitizer : HtmlSanitizer
    {
        private readonly bool _document;
        private List<string> _removed = [];
        private ImagePolicy _images = ImagePolicy.OwnMediaOnly;
        private bool _imageReported; // SanitizeUrl said why the address it just refused was refused

        public PolicySanitizer(IReadOnlySet<string> tags, bool document) : base(new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(tags, StringComparer.OrdinalIgnoreCase),
            AllowedAttributes = document ? new HashSet<string>(Attributes.Concat(DocumentAttributes), StringComparer.OrdinalIgnoreCase) : new HashSet<string>(Attributes, StringComparer.OrdinalIgnoreCase),
            AllowedSchemes = new HashSet<string>(["http", "https", "mailto"], StringComparer.OrdinalIgnoreCase),
            UriAttributes = new HashSet<string>(["href", "src", "cite", "action", "background", "dynsrc", "lowsrc", "formaction", "poster", "longdesc", "xlink:href"], StringComparer.OrdinalIgnoreCase),
            AllowedCssProperties = new HashSet<string>(StringComparer.OrdinalIgnoreCase),
            AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
            AllowedClasses = new HashSet<string>(StringComparer.OrdinalIgnoreCase),
        })
        {
            _document = document;
            AllowDataAttributes = false;
            KeepChildNodes = false;
            RemovingTag += (_, e) => _removed.Add($"<{e.Tag.TagName.ToLowerInvariant()}>");
            RemovingAttribute += (_, e) =>
            {
                var tag = e.Tag.TagName.ToLowerInvariant();
                if (e.Reason != RemoveReason.NotAllowedUrlValue)
                    _removed.Add($"the attribute {e.Attribute.Name} on <{tag}>");
                else if (!_imageReported)
                    _removed.Add($"the address {Shorten(e.Attribute.Value)} on <{tag}>");
                _imageReported = false;
            };
        }

        public IReadOnlyList<string> Run(IHtmlDocument dom, IHtmlElement context, ImagePolicy images)
        {
            _removed = [];
            _images = images;
            var sheets = HoldStyles(dom, context);
            CheckResponsiveImages(context);
            SanitizeDom(dom, context, "");
            RestoreStyles(dom, sheets);
            if (_document)
                CheckHead(dom);
            // An image whose address was refused is removed as a whole.
            foreach (var image in dom.QuerySelectorAll("img").Where(i => !i.HasAttribute("src")).ToList())
                image.Remove();
            return _removed.Distinct().ToList();
        }

        protected override string? SanitizeUrl(IElement element, string url, string baseUrl)
        {
            var sanitized = base.SanitizeUrl(element, url, baseUrl);
            _imageReported = false;
            if (sanitized is null || element.LocalName != "img")
                return sanitized;
            if (_images.Allows(url))
                return sanitized;
            _removed.Add(Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) && uri.Host.Length > 0
                ? $"the image from {uri.Host} (not the brand's media or an allowed image host)"
                : $"the image {Shorten(url)}");
            _imageReported = true;
            return null;
        }

        // srcset lists more image addresses: each must pass the image policy as src does, else the whole list goes
        // (src stays, so the image still shows). Only <img> may have srcset, sizes and loading, with plain values.
        private void CheckResponsiveImages(IElement context)
        {
            foreach (var element in context.QuerySelectorAll("[srcset],[sizes],[loading]").ToList())
            {
                foreach (var name in new[] { "srcset", "sizes", "loading" })
                {
                    if (element.GetAttribute(name) is not { } value)
                        continue;
                    var allowed = element.LocalName == "img" && name switch
                    {
                        "srcset" => value.Split(',').Select(c => c.Trim()).Where(c => c.Length > 0).All(c => _images.Allows(c.Split(' ', 2)[0])),
                        "loading" => value is "lazy" or "eager",
                        _ => value.All(ch => char.IsAsciiLetterOrDigit(ch) || " ().,:%-".Contains(ch)), // media conditions and lengths
                    };
                    if (allowed)
                        continue;
                    _removed.Add($"the attribute {name} on <{element.LocalName}>");
                    element.RemoveAttribute(name);
                }
            }
        }

        // Style attributes and the layouts' <style> sheets are taken out of HtmlSanitizer's hands (see StyleHolder).
        private List<string> HoldStyles(IHtmlDocument dom, IElement context)
        {
            foreach (var element in context.QuerySelectorAll($"[{StyleHolder}]").ToList())
            {
                _removed.Add($"the attribute {StyleHolder} on <{element.LocalName}>");
                element.RemoveAttribute(StyleHolder);
            }
            foreach (var element in context.QuerySelectorAll("[style]").ToList())
            {
                var style = CssDeclarations.Check(element.GetAttribute("style") ?? "", _removed);
                element.RemoveAttribute("style");
                if (style.Trim().Length > 0)
                    element.SetAttribute(StyleHolder, style);
            }
            var sheets = new List<string>();
            foreach (var sheet in context.QuerySelectorAll("style").ToList())
            {
                if (!_document || sheet.ParentElement is not { LocalName: "head" })
                    continue; // a <style> anywhere else is removed with the other disallowed elements
                sheets.Add(CssDeclarations.CheckSheet(sheet.TextContent, _removed));
                sheet.Replace(dom.CreateElement(StyleHolder));
            }
            return sheets;
        }

        private static void RestoreStyles(IHtmlDocument dom, List<string> sheets)
        {
            foreach (var element in dom.QuerySelectorAll($"[{StyleHolder}]").ToList())
            {
                element.SetAttribute("style", element.GetAttribute(StyleHolder));
                element.RemoveAttribute(StyleHolder);
            }
            var holders = dom.GetElementsByTagName(StyleHolder).ToList();
            for (var i = 0; i < holders.Count; i++)
            {
                var style = dom.CreateElement("style");
                style.TextContent = i < sheets.Count ? sheets[i] : "";
                holders[i].Replace(style);
            }
        }

        // The head's few elements may only do what the layouts need: a charset, a viewport, a description, a canonical or feed link.
        private void CheckHead(IHtmlDocument dom)
        {
            foreach (var meta in dom.QuerySelectorAll("meta").ToList())
            {
                if (meta.HasAttribute("charset") || meta.GetAttribute("name") is { } name && MetaNames.Contains(name))
                    continue;
                _removed.Add("<meta>");
                meta.Remove();
            }
            foreach (var link in dom.QuerySelectorAll("link").ToList())
            {
                if (link.GetAttribute("rel") is { } rel && LinkRelations.Contains(rel) && WebAddress.IsWeb(link.GetAttribute("href")))
                    continue;
                _removed.Add("<link>");
                link.Remove();
            }
            foreach (var element in dom.QuerySelectorAll("[charset],[name],[content],[rel]").Where(e => e.LocalName is not ("meta" or "link")).ToList())
            {
                foreach (var attribute in DocumentAttributes.Where(element.HasAttribute))
                {
                    _removed.Add($"the attribute {attribute} on <{element.LocalName}>");
                    element.RemoveAttribute(attribute);
                }
            }
        }
    }
}
