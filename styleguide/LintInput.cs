namespace Publisher.StyleGuide;

/// <summary>A part of a field that is not prose (UTF-16 start and length): a link, domain, e-mail address, handle, hashtag, cashtag or code.</summary>
/// <param name="Start">Index of its first character in the field's text.</param>
/// <param name="Length">Its length in UTF-16 code units.</param>
public readonly record struct NonProseRange(int Start, int Length);

/// <summary>One channel variant of a message, as the linter sees it.</summary>
public sealed record LintInput
{
    /// <summary>The field name of a variant's title (blog, LinkedIn article).</summary>
    public const string TitleField = "title";

    /// <summary>The field name of an e-mail's subject line.</summary>
    public const string SubjectField = "subject";

    /// <summary>The field name of the variant's main text.</summary>
    public const string BodyField = "body";

    /// <summary>The channel kind: "X", "Mastodon", "Bluesky", "LinkedIn", "FacebookPage", "Email", "Blog", "Webhook".</summary>
    public required string Channel { get; init; }

    /// <summary>The title, if the channel has one.</summary>
    public string? Title { get; init; }

    /// <summary>The subject line, if the channel has one.</summary>
    public string? Subject { get; init; }

    /// <summary>The main text as it will be published (plain text is best: markup is linted as written).</summary>
    public string? Body { get; init; }

    /// <summary>Any further fields to lint (e.g. "summary"), by name.</summary>
    public IReadOnlyDictionary<string, string>? OtherFields { get; init; }

    /// <summary>The message's link, for <c>required</c> rules with <c>element: link</c>.</summary>
    public string? Link { get; init; }

    /// <summary>The message's call to action, for <c>required</c> rules with <c>element: call-to-action</c>.</summary>
    public string? CallToAction { get; init; }

    /// <summary>The facts the author marked on the message, each of which must appear (see <see cref="KeyFactsRule"/>).</summary>
    public IReadOnlyList<string> KeyFacts { get; init; } = [];

    /// <summary>Whether the message is sponsored (paid or gifted), for conditional rules with <c>sponsored: true</c>.</summary>
    public bool Sponsored { get; init; }

    /// <summary>
    /// What is not prose in each field (by field name: "title", "subject", "body", …), as the channel's own entity
    /// extraction finds it (the one its counter and previews use). Vocabulary, brand-name, casing, substitution and
    /// existence rules do not match inside these ranges; presence checks (key facts, required text, calls to
    /// action) still read the whole text, since a required "#ad" or a key fact can be written as a tag or a link.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<NonProseRange>> NonProse { get; init; } = new Dictionary<string, IReadOnlyList<NonProseRange>>();

    /// <summary>The non-prose ranges given for <paramref name="field"/>, or none.</summary>
    public IReadOnlyList<NonProseRange> NonProseIn(string field) =>
        NonProse.TryGetValue(field, out var ranges) ? ranges : [];

    /// <summary>The non-empty fields in a fixed order: title, subject, body, then the others by name.</summary>
    public IEnumerable<(string Name, string Text)> EnumerateFields()
    {
        if (!string.IsNullOrEmpty(Title))
        {
            yield return (TitleField, Title);
        }
        if (!string.IsNullOrEmpty(Subject))
        {
            yield return (SubjectField, Subject);
        }
        if (!string.IsNullOrEmpty(Body))
        {
            yield return (BodyField, Body);
        }
        if (OtherFields is not null)
        {
            foreach (var (name, text) in OtherFields.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                if (!string.IsNullOrEmpty(text))
                {
                    yield return (name.ToLowerInvariant(), text);
                }
            }
        }
    }
}
