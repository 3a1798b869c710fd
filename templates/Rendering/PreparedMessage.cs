using System.Globalization;
using System.Text;
using Publisher.Templates.Diagnostics;
using Publisher.Templates.Html;
using Publisher.Templates.Markdown;
using Publisher.Templates.Model;

namespace Publisher.Templates.Rendering;

/// <summary>
/// A message checked and cleaned once, with its Markdown converted once, so rendering it into every
/// channel does that work a single time.
/// </summary>
internal sealed class PreparedMessage
{
    private string? _bodyText;
    private string? _bodyHtml;

    private readonly ImagePolicy _images;

    private PreparedMessage(MessageInput message, List<Diagnostic> diagnostics, bool bodyUsable, ImagePolicy images, Markdig.Syntax.MarkdownDocument? document = null)
    {
        Message = message;
        Diagnostics = diagnostics;
        BodyUsable = bodyUsable;
        _images = images;
        _document = document;
    }

    /// <summary>The message with control characters removed from every text field.</summary>
    public MessageInput Message { get; }

    /// <summary>Findings about the message itself (the same for every channel).</summary>
    public List<Diagnostic> Diagnostics { get; }

    /// <summary>False when the body must not be rendered at all (too long).</summary>
    public bool BodyUsable { get; }

    /// <summary>True when an error makes every variant of this message unrenderable.</summary>
    public bool IsFatal => !BodyUsable || Diagnostics.Any(d => d.Code == "message.empty");

    // Parsed once, when the message is prepared, and shared by the plain-text and HTML forms.
    private readonly Markdig.Syntax.MarkdownDocument? _document;

    private Markdig.Syntax.MarkdownDocument? Document => BodyUsable ? _document : null;

    public string BodyText => _bodyText ??= Document is { } document ? MarkdownConverter.ToPlainText(document) : "";

    public string BodyHtml => _bodyHtml ??= Document is { } document ? MarkdownConverter.ToSafeHtml(document, _images) : "";

    /// <summary>Checks and cleans <paramref name="message"/> and parses its Markdown; its images are kept where <paramref name="images"/> allows.</summary>
    public static PreparedMessage Prepare(MessageInput message, RenderLimits limits, ImagePolicy images)
    {
        var diagnostics = new List<Diagnostic>();
        message ??= new MessageInput();

        if ((message.BodyMarkdown?.Length ?? 0) > limits.MaxBodyCharacters)
        {
            diagnostics.Add(Diagnostic.Error("message.body-too-long",
                $"The message body is {message.BodyMarkdown!.Length:N0} characters; the limit is {limits.MaxBodyCharacters:N0}: shorten it, or publish the full text on the blog and link to it."));
            return new PreparedMessage(message, diagnostics, bodyUsable: false, images);
        }

        var removed = 0;
        var bidiControls = 0;
        var rightToLeft = false;
        string Clean(string? value)
        {
            if (string.IsNullOrEmpty(value)) return "";
            var (text, count) = RemoveControlCharacters(value);
            removed += count;
            bidiControls += CountBidiControls(text);
            rightToLeft |= HasRightToLeftLetters(text);
            return text;
        }
        string? CleanOptional(string? value)
        {
            var text = Clean(value).Trim();
            return text.Length == 0 ? null : text;
        }

        var cleaned = message with
        {
            Title = Clean(message.Title).Trim(),
            BodyMarkdown = Clean(message.BodyMarkdown),
            Summary = CleanOptional(message.Summary),
            Link = CleanOptional(message.Link),
            CallToAction = CleanOptional(message.CallToAction),
            Author = CleanOptional(message.Author),
            Hashtags = (message.Hashtags ?? []).Select(Clean).Where(t => t.Trim().Length > 0).ToList(),
            KeyFacts = (message.KeyFacts ?? []).Select(Clean).Select(f => f.Trim()).Where(f => f.Length > 0).ToList(),
        };

        if (removed > 0)
        {
            diagnostics.Add(Diagnostic.Warning("message.control-characters",
                $"The message contained {removed} invisible control character{(removed == 1 ? "" : "s")}; {(removed == 1 ? "it was" : "they were")} removed. Check the text reads as intended."));
        }
        if (bidiControls > 0)
        {
            diagnostics.Add(Diagnostic.Warning("message.direction-controls",
                $"The message contains {bidiControls} invisible direction-control character{(bidiControls == 1 ? "" : "s")} (U+202A–U+202E, U+2066–U+2069), which can make text display in a different order than it is written: remove them unless you placed them on purpose."));
        }
        if (rightToLeft)
        {
            diagnostics.Add(Diagnostic.Info("message.right-to-left",
                "The message contains right-to-left text (such as Arabic or Hebrew): check each variant's preview, since punctuation, hashtags and links next to it can display in an unexpected order."));
        }

        if (cleaned.Title.Length == 0 && cleaned.BodyMarkdown.Trim().Length == 0)
        {
            diagnostics.Add(Diagnostic.Error("message.empty", "The message has no title and no body: write the message before rendering it."));
        }
        else if (cleaned.BodyMarkdown.Trim().Length == 0)
        {
            diagnostics.Add(Diagnostic.Warning("message.empty-body",
                "The message body is empty: the variants carry only the title, summary and link. Write a body to give each channel more to say."));
        }

        if (cleaned.Link is { } link && UtmTagger.Validate(link) is { } linkError)
        {
            diagnostics.Add(Diagnostic.Error("message.link-invalid", linkError));
        }

        if (string.IsNullOrWhiteSpace(cleaned.BodyMarkdown))
            return new PreparedMessage(cleaned, diagnostics, bodyUsable: true, images);
        var document = MarkdownConverter.TryParse(cleaned.BodyMarkdown, out var nesting);
        if (nesting is not null)
        {
            diagnostics.Add(nesting);
            return new PreparedMessage(cleaned, diagnostics, bodyUsable: false, images);
        }
        foreach (var image in MarkdownConverter.DisallowedImages(document!, images).Take(5))
        {
            var from = Uri.TryCreate(image, UriKind.Absolute, out var uri) && uri.Host.Length > 0 ? $"from {uri.Host}" : $"\"{(image.Length > 60 ? image[..57] + "..." : image)}\"";
            diagnostics.Add(Diagnostic.Warning("message.image-not-allowed",
                $"The image {from} is left out of the email and the blog: images must be uploaded to Publisher or come from a host the style guide allows (identity.imageHosts)."));
        }
        return new PreparedMessage(cleaned, diagnostics, bodyUsable: true, images, document);
    }

    // Keeps tab and newline; turns CR LF and lone CR into LF; drops other C0/C1 controls and noncharacters.
    private static (string Text, int Removed) RemoveControlCharacters(string value)
    {
        var needsWork = false;
        foreach (var c in value)
        {
            if (IsRemovable(c) || c == '\r') { needsWork = true; break; }
        }
        if (!needsWork) return (value, 0);

        var builder = new StringBuilder(value.Length);
        var removed = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\r')
            {
                if (i + 1 < value.Length && value[i + 1] == '\n') continue;
                builder.Append('\n');
            }
            else if (IsRemovable(c)) removed++;
            else builder.Append(c);
        }
        return (builder.ToString(), removed);
    }

    private static bool IsRemovable(char c) =>
        (c < 0x20 && c != '\n' && c != '\t' && c != '\r') || (c >= 0x7F && c <= 0x9F) || c is '\uFFFE' or '\uFFFF' or '\uFEFF';

    private static int CountBidiControls(string text)
    {
        var count = 0;
        foreach (var c in text) if (c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069') count++;
        return count;
    }

    private static bool HasRightToLeftLetters(string text)
    {
        foreach (var c in text)
        {
            if (c is >= '\u0590' and <= '\u08FF' or >= '\uFB1D' and <= '\uFDFF' or >= '\uFE70' and <= '\uFEFC'
                && CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.OtherLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.UppercaseLetter)
                return true;
        }
        return false;
    }
}
