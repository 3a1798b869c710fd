using Publisher.Templates.Rendering;

namespace Publisher.Core.Domain;

/// <summary>
/// How long each field of a message may be, in characters (UTF-16 units), and the one check every way in
/// applies: the editor's form, the CSV import and <c>POST /api/render</c>. The numbers are far above what a
/// post needs and far below what would make a request, a render or a page heavy.
/// </summary>
public static class MessageLimits
{
    public const int Title = 300;

    /// <summary>The renderer's own limit: a longer body could never be rendered.</summary>
    public static readonly int Body = RenderLimits.Default.MaxBodyCharacters;

    public const int Summary = 1_000;
    public const int Link = 2_048;
    public const int CallToAction = 200;
    public const int Hashtag = 100;
    public const int Hashtags = 30;
    public const int KeyFact = 300;
    public const int KeyFacts = 30;

    /// <summary>A message's fields as written, before any trimming.</summary>
    public sealed record Fields(string? Title, string? Body, string? Summary, string? Link, string? CallToAction,
        IReadOnlyList<string> Hashtags, IReadOnlyList<string> KeyFacts);

    /// <summary>The form field each finding belongs to, as the editor names them.</summary>
    public enum Field { Title, Body, Summary, Link, CallToAction, Hashtags, KeyFacts }

    /// <summary>Every field over its limit, each with what to do.</summary>
    public static IReadOnlyList<(Field Field, string Error)> Check(Fields message)
    {
        var errors = new List<(Field, string)>();
        void Length(Field field, string what, string? text, int limit)
        {
            if (text is not null && text.Length > limit)
                errors.Add((field, $"The {what} is {text.Length:N0} characters; keep it to {limit:N0} or fewer."));
        }
        Length(Field.Title, "title", message.Title, Title);
        Length(Field.Body, "message", message.Body, Body);
        Length(Field.Summary, "summary", message.Summary, Summary);
        Length(Field.Link, "link", message.Link, Link);
        Length(Field.CallToAction, "call to action", message.CallToAction, CallToAction);

        if (message.Hashtags.Count > Hashtags)
            errors.Add((Field.Hashtags, $"There are {message.Hashtags.Count} hashtags; keep it to {Hashtags} or fewer (each channel shows only its first few)."));
        else if (message.Hashtags.FirstOrDefault(t => t.Length > Hashtag) is { } longTag)
            errors.Add((Field.Hashtags, $"The hashtag \"{longTag[..20]}…\" is {longTag.Length:N0} characters; keep each to {Hashtag} or fewer."));

        if (message.KeyFacts.Count > KeyFacts)
            errors.Add((Field.KeyFacts, $"There are {message.KeyFacts.Count} key facts; keep it to {KeyFacts} or fewer: every variant must carry each one."));
        else if (message.KeyFacts.FirstOrDefault(f => f.Length > KeyFact) is { } longFact)
            errors.Add((Field.KeyFacts, $"The key fact \"{longFact[..20]}…\" is {longFact.Length:N0} characters; keep each to {KeyFact} or fewer."));
        return errors;
    }
}
