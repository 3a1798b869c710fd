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

    /// <summary>
    /// The field name of attached media's alt texts, as rule scopes name it. Each alt text is linted as its own field,
    /// named "alt:1", "alt:2", … by its medium's place (see <see cref="AltTextFieldOf"/>).
    /// </summary>
    public const string AltTextField = "alt";

    /// <summary>The field name of the alt text of the medium at <paramref name="index"/> (0-based): "alt:1" for the first.</summary>
    public static string AltTextFieldOf(int index) => $"{AltTextField}:{index + 1}";

    /// <summary>Whether <paramref name="field"/> is an alt text's field.</summary>
    public static bool IsAltTextField(string field) => field.StartsWith(AltTextField + ":", StringComparison.Ordinal);

    /// <summary>The channel kind: "X", "Mastodon", "Bluesky", "LinkedIn", "FacebookPage", "Email", "Blog", "Webhook", "Threads", "Instagram".</summary>
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

    /// <summary>
    /// The alt text of each image or video that goes out with the variant, in order. A null or blank one is an error
    /// (every medium needs a description); the others are linted like the text, by the guide's vocabulary rules.
    /// </summary>
    public IReadOnlyList<string?> AltTexts { get; init; } = [];

    /// <summary>The non-empty fields in a fixed order: title, subject, body, the others by name, then the alt texts.</summary>
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
        for (var i = 0; i < AltTexts.Count; i++)
        {
            if (!string.IsNullOrWhiteSpace(AltTexts[i]))
            {
                yield return (AltTextFieldOf(i), AltTexts[i]!);
            }
        }
    }
}
