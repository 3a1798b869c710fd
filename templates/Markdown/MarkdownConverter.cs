using System.Text;
using Ganss.Xss;
using Markdig;
using Markdig.Syntax;
using Markdig.Renderers;
using Markdig.Syntax.Inlines;

namespace Publisher.Templates.Markdown;

/// <summary>
/// Turns a message body written in Markdown into plain text for social networks and into safe HTML
/// for email and the blog. Raw HTML in the Markdown is never passed through: Markdig's HTML support
/// is off, so tags come out as visible, escaped text; and every link and image address is checked
/// against an allow-list (absolute http, https, mailto), so <c>javascript:</c>, <c>data:</c> and the
/// like never reach an <c>href</c> or <c>src</c>. Markdig escapes everything else it writes.
/// <see cref="FindUnsafeHtml"/> checks HTML from other sources (templates) with HtmlSanitizer.
/// </summary>
public sealed class MarkdownConverter
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseAutoLinks()
        .UseEmphasisExtras()
        .Build();

    private readonly HtmlSanitizer _sanitizer;

    /// <summary>Creates a converter.</summary>
    public MarkdownConverter()
    {
        _sanitizer = new HtmlSanitizer();
        _sanitizer.AllowedSchemes.Clear();
        _sanitizer.AllowedSchemes.Add("http");
        _sanitizer.AllowedSchemes.Add("https");
        _sanitizer.AllowedSchemes.Add("mailto");
        _sanitizer.AllowedAttributes.Add("role");
        _sanitizer.AllowedAttributes.Add("class");
        _sanitizer.AllowedAttributes.Add("datetime");
        // Responsive images in the blog template (srcset and sizes are attributes of <img>, served from /media).
        _sanitizer.AllowedAttributes.Add("srcset");
        _sanitizer.AllowedAttributes.Add("sizes");
        _sanitizer.AllowedAttributes.Add("loading");
    }

    /// <summary>Safe HTML for the body: Markdown rendered with HTML disabled and unsafe link targets removed.</summary>
    public string ToSafeHtml(string markdown) =>
        string.IsNullOrWhiteSpace(markdown) ? "" : ToSafeHtml(Parse(markdown));

    /// <summary>Parses Markdown once, for callers that need both <see cref="ToPlainText(MarkdownDocument)"/> and <see cref="ToSafeHtml(MarkdownDocument)"/>.</summary>
    internal static MarkdownDocument Parse(string markdown) => Markdig.Markdown.Parse(markdown, Pipeline);

    /// <summary>Safe HTML from a parsed body (removes unsafe links from <paramref name="document"/>).</summary>
    internal static string ToSafeHtml(MarkdownDocument document)
    {
        RemoveUnsafeLinks(document);
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.Render(document);
        writer.Flush();
        return writer.ToString().Trim();
    }

    /// <summary>
    /// Checks HTML (such as a template's output) with HtmlSanitizer and describes what it would remove:
    /// scripts, event handlers, unsafe URLs and the like. Empty when the HTML is safe as it is.
    /// </summary>
    public IReadOnlyList<string> FindUnsafeHtml(string html)
    {
        var removed = new List<string>();
        void OnTag(object? sender, RemovingTagEventArgs e) => removed.Add($"<{e.Tag.TagName.ToLowerInvariant()}>");
        void OnAttribute(object? sender, RemovingAttributeEventArgs e) => removed.Add($"the attribute {e.Attribute.Name}=\"{Shorten(e.Attribute.Value)}\" on <{e.Tag.TagName.ToLowerInvariant()}>");
        lock (_sanitizer)
        {
            _sanitizer.RemovingTag += OnTag;
            _sanitizer.RemovingAttribute += OnAttribute;
            try
            {
                _sanitizer.Sanitize(html);
            }
            finally
            {
                _sanitizer.RemovingTag -= OnTag;
                _sanitizer.RemovingAttribute -= OnAttribute;
            }
        }
        return removed.Distinct().ToList();

        static string Shorten(string value) => value.Length <= 40 ? value : value[..37] + "...";
    }

    // Links and images keep their text; an address that is not absolute http(s) or mailto is dropped.
    private static void RemoveUnsafeLinks(MarkdownDocument document)
    {
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            var url = link.GetDynamicUrl?.Invoke() ?? link.Url ?? "";
            if (IsSafeAddress(url)) continue;
            if (link.IsImage)
            {
                link.Remove();
                continue;
            }
            ReplaceWithChildren(link);
        }
        foreach (var autolink in document.Descendants<AutolinkInline>().ToList())
        {
            if (autolink.IsEmail || IsSafeAddress(autolink.Url)) continue;
            autolink.ReplaceBy(new LiteralInline(autolink.Url));
        }
    }

    private static void ReplaceWithChildren(ContainerInline container)
    {
        var children = container.ToList();
        Inline anchor = container;
        foreach (var child in children)
        {
            child.Remove();
            anchor.InsertAfter(child);
            anchor = child;
        }
        container.Remove();
    }

    /// <summary>
    /// Plain text for networks that show no formatting: emphasis dropped, headings and paragraphs as
    /// lines separated by a blank line, list items as "• item", and links kept as their URL
    /// ("label (https://…)" when the label is not the URL itself), so the network can link them.
    /// </summary>
    public static string ToPlainText(string markdown) =>
        string.IsNullOrWhiteSpace(markdown) ? "" : ToPlainText(Parse(markdown));

    /// <summary>Plain text from a parsed body.</summary>
    internal static string ToPlainText(MarkdownDocument document)
    {
        var text = new StringBuilder(256);
        WriteBlocks(document, text, "");
        return text.ToString().Trim();
    }

    private static void WriteBlocks(ContainerBlock container, StringBuilder text, string indent)
    {
        foreach (var block in container)
        {
            switch (block)
            {
                case ListBlock list:
                    WriteList(list, text, indent);
                    break;
                case QuoteBlock quote:
                    var quoted = new StringBuilder();
                    WriteBlocks(quote, quoted, "");
                    StartBlock(text);
                    text.Append(indent).Append('“').Append(quoted.ToString().Trim()).Append('”');
                    break;
                case ContainerBlock inner:
                    WriteBlocks(inner, text, indent);
                    break;
                case ThematicBreakBlock:
                    break;
                case LeafBlock leaf when leaf.Inline is not null:
                    StartBlock(text);
                    text.Append(indent);
                    WriteInlines(leaf.Inline, text);
                    break;
                case LeafBlock leaf:
                    // Code blocks: their lines as they are.
                    StartBlock(text);
                    var lines = leaf.Lines.ToString().TrimEnd();
                    text.Append(indent).Append(lines);
                    break;
            }
        }
    }

    private static void WriteList(ListBlock list, StringBuilder text, string indent)
    {
        var index = int.TryParse(list.OrderedStart, out var start) ? start : 1;
        StartBlock(text);
        var first = true;
        foreach (var item in list.OfType<ListItemBlock>())
        {
            if (!first) text.Append('\n');
            first = false;
            var content = new StringBuilder();
            WriteBlocks(item, content, "");
            var bullet = list.IsOrdered ? $"{index++}. " : "• ";
            text.Append(indent).Append(bullet).Append(content.ToString().Trim().Replace("\n\n", "\n"));
        }
    }

    private static void StartBlock(StringBuilder text)
    {
        if (text.Length > 0) text.Append("\n\n");
    }

    private static void WriteInlines(ContainerInline container, StringBuilder text)
    {
        foreach (var inline in container)
        {
            switch (inline)
            {
                case LiteralInline literal:
                    text.Append(literal.Content.AsSpan());
                    break;
                case CodeInline code:
                    text.Append(code.Content);
                    break;
                case AutolinkInline autolink:
                    text.Append(autolink.Url);
                    break;
                case LinkInline link:
                    var label = new StringBuilder();
                    WriteInlines(link, label);
                    var url = link.GetDynamicUrl?.Invoke() ?? link.Url ?? "";
                    if (link.IsImage || !IsSafeAddress(url)) text.Append(label);
                    else if (label.Length == 0 || SameAddress(label.ToString(), url)) text.Append(url);
                    else if (url.Length == 0) text.Append(label);
                    else text.Append(label).Append(" (").Append(url).Append(')');
                    break;
                case LineBreakInline lineBreak:
                    text.Append(lineBreak.IsHard ? '\n' : ' ');
                    break;
                case HtmlEntityInline entity:
                    text.Append(entity.Transcoded.AsSpan());
                    break;
                case HtmlInline html:
                    text.Append(html.Tag);
                    break;
                case ContainerInline inner:
                    WriteInlines(inner, text);
                    break;
            }
        }
    }

    // Social text shows addresses as they are; only web and mail addresses are worth showing (never javascript: and the like).
    private static bool IsSafeAddress(string url) =>
        url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ||
        url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ||
        url.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase);

    private static bool SameAddress(string label, string url) =>
        string.Equals(label, url, StringComparison.OrdinalIgnoreCase) ||
        string.Equals("http://" + label, url, StringComparison.OrdinalIgnoreCase) ||
        string.Equals("https://" + label, url, StringComparison.OrdinalIgnoreCase) ||
        string.Equals("mailto:" + label, url, StringComparison.OrdinalIgnoreCase);
}
