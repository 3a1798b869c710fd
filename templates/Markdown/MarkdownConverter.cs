using System.Text;
using Markdig;
using Markdig.Syntax;
using Markdig.Renderers;
using Markdig.Syntax.Inlines;
using Publisher.Templates.Diagnostics;
using Publisher.Templates.Html;
using Publisher.Templates.Model;

namespace Publisher.Templates.Markdown;

/// <summary>
/// Turns a message body written in Markdown into plain text for social networks and into safe HTML
/// for email and the blog. Raw HTML in the Markdown is never passed through: Markdig's HTML support
/// is off, so tags come out as visible, escaped text; every link address is checked (absolute http,
/// https or mailto), so <c>javascript:</c>, <c>data:</c> and the like never reach an <c>href</c>; and
/// an image stays only when the brand's <see cref="ImagePolicy"/> allows its address. Markdig escapes
/// everything else it writes, so what comes out already passes <see cref="SafeHtmlPolicy"/> unchanged.
/// </summary>
public sealed class MarkdownConverter
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseAutoLinks()
        .UseEmphasisExtras()
        .Build();

    /// <summary>Safe HTML for the body: Markdown rendered with HTML disabled, unsafe links and images not allowed by <paramref name="images"/> removed.</summary>
    public string ToSafeHtml(string markdown, ImagePolicy? images = null) =>
        string.IsNullOrWhiteSpace(markdown) ? "" : ToSafeHtml(Parse(markdown), images ?? ImagePolicy.OwnMediaOnly);

    /// <summary>Parses Markdown once, for callers that need both <see cref="ToPlainText(MarkdownDocument)"/> and <see cref="ToSafeHtml(MarkdownDocument, ImagePolicy)"/>.</summary>
    /// <exception cref="ArgumentException">The Markdown nests deeper than Markdig allows; <see cref="TryParse"/> says so as a diagnostic.</exception>
    internal static MarkdownDocument Parse(string markdown) => Markdig.Markdown.Parse(markdown, Pipeline);

    /// <summary>
    /// Parses Markdown, or says on which line it nests quotes, lists, emphasis or links deeper than the
    /// parser goes (Markdig stops at a fixed depth, about 128, rather than overflow its stack).
    /// </summary>
    internal static MarkdownDocument? TryParse(string markdown, out Diagnostic? problem)
    {
        problem = null;
        try
        {
            return Parse(markdown);
        }
        catch (ArgumentException)
        {
            problem = TooDeepDiagnostic(markdown);
            return null;
        }
    }

    /// <summary>
    /// Null when the body can be rendered; otherwise the error saying where it nests too deep, the same the
    /// renderer reports, for forms that check the body before saving.
    /// </summary>
    public static Diagnostic? CheckNesting(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown)) return null;
        TryParse(markdown, out var problem);
        return problem;
    }

    private static bool TooDeep(string markdown)
    {
        try
        {
            Parse(markdown);
            return false;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    // The first line at which the text so far no longer parses, found by halving: the error path only.
    private static Diagnostic TooDeepDiagnostic(string markdown)
    {
        var ends = new List<int>();
        for (var i = markdown.IndexOf('\n'); i >= 0; i = markdown.IndexOf('\n', i + 1)) ends.Add(i);
        ends.Add(markdown.Length);
        int low = 0, high = ends.Count - 1; // the first line index whose prefix fails
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (TooDeep(markdown[..ends[middle]])) high = middle;
            else low = middle + 1;
        }
        var line = low + 1;
        return Diagnostic.Error("message.markdown-too-deep",
            $"The message nests quotes, lists, emphasis or links too deeply on line {line:N0} for it to be rendered: " +
            "remove the extra > or list markers (or brackets and asterisks) there.", line, 1);
    }

    /// <summary>Safe HTML from a parsed body (removes unsafe links and images not allowed from <paramref name="document"/>).</summary>
    internal static string ToSafeHtml(MarkdownDocument document, ImagePolicy images)
    {
        RemoveUnsafeLinks(document, images);
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.Render(document);
        writer.Flush();
        return writer.ToString().Trim();
    }

    /// <summary>The addresses of the images in the body that <paramref name="images"/> does not allow (they are left out of the HTML).</summary>
    internal static IReadOnlyList<string> DisallowedImages(MarkdownDocument document, ImagePolicy images) =>
        document.Descendants<LinkInline>().Where(l => l.IsImage).Select(l => l.GetDynamicUrl?.Invoke() ?? l.Url ?? "")
            .Where(url => !images.Allows(url)).Distinct().ToList();

    // Links keep their text; an address that is not absolute http(s) or mailto is dropped. Images stay only where the policy allows them.
    private static void RemoveUnsafeLinks(MarkdownDocument document, ImagePolicy images)
    {
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            var url = link.GetDynamicUrl?.Invoke() ?? link.Url ?? "";
            if (link.IsImage)
            {
                if (!images.Allows(url)) link.Remove();
                continue;
            }
            if (IsSafeAddress(url)) continue;
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

    // Only web addresses (the shared check) and mail addresses become links or are shown as addresses; never javascript: and the like.
    private static bool IsSafeAddress(string url) =>
        WebAddress.IsWeb(url) || (url.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) && !url.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)));

    private static bool SameAddress(string label, string url) =>
        string.Equals(label, url, StringComparison.OrdinalIgnoreCase) ||
        string.Equals("http://" + label, url, StringComparison.OrdinalIgnoreCase) ||
        string.Equals("https://" + label, url, StringComparison.OrdinalIgnoreCase) ||
        string.Equals("mailto:" + label, url, StringComparison.OrdinalIgnoreCase);
}
