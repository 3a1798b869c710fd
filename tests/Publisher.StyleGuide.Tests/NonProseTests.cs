namespace Publisher.StyleGuide.Tests;

/// <summary>
/// Ranges the caller marks as not prose (links in any form, domains, e-mail addresses, handles, tags, code): rules
/// that flag words skip them, rules that check something is present still read them.
/// </summary>
public class NonProseTests
{
    private static readonly BrandStyleGuide Guide = Lint.ParseOrFail("""
        vocabulary:
          brandNames:
            - name: Northwind
          preferred:
            - term: sign up
              avoid: [signup]
          banned:
            - term: cheap
        rules:
          - id: no-shouting
            kind: existence
            message: Don't shout "{match}".
            tokens: [HOLIDAY]
          - id: caps
            kind: capitalization
            message: Write "{fix}".
            terms: [Holiday Roast]
          - id: disclose
            kind: required
            message: Sponsored posts need {missing}.
            tokens: ['#ad']
          - id: key-facts
            kind: key-facts
            message: 'The key fact "{missing}" is missing.'
        """);

    private static LintResult Run(string body, params (int Start, int Length)[] nonProse) => Lint.Run(Guide, new LintInput
    {
        Channel = "Bluesky",
        Body = body,
        KeyFacts = ["northwind.com/holiday"],
        NonProse = new Dictionary<string, IReadOnlyList<NonProseRange>>
        {
            [LintInput.BodyField] = nonProse.Select(r => new NonProseRange(r.Start, r.Length)).ToList(),
        },
    });

    [Fact]
    public void Words_inside_a_marked_short_link_handle_or_tag_are_not_flagged()
    {
        const string body = "Order at northwind.com/holiday?ref=... #holiday_roast @northwind.bsky.social #ad `signup` cheap";
        var ranges = new[] { "northwind.com/holiday?ref=...", "#holiday_roast", "@northwind.bsky.social", "#ad", "`signup`" }
            .Select(part => (body.IndexOf(part, StringComparison.Ordinal), part.Length)).ToArray();

        var result = Run(body, ranges);

        Assert.Empty(result.Matched("vocabulary.brand-names"));
        Assert.Empty(result.Matched("vocabulary.preferred"));
        Assert.Empty(result.Matched("no-shouting"));
        Assert.Empty(result.Matched("caps"));
        // Prose is still checked.
        Assert.Equal(["cheap"], result.Matched("vocabulary.banned"));
    }

    [Fact]
    public void The_same_words_as_prose_are_flagged()
    {
        var result = Run("northwind has a holiday roast, signup now");
        Assert.Equal(["northwind"], result.Matched("vocabulary.brand-names"));
        Assert.Equal(["holiday roast"], result.Matched("caps"));
        Assert.Equal(["signup"], result.Matched("vocabulary.preferred"));
    }

    [Fact]
    public void Presence_checks_read_inside_marked_ranges()
    {
        const string body = "Order at northwind.com/holiday #ad";
        var result = Run(body, (9, 21), (31, 3));
        // The required "#ad" is a hashtag and the key fact is written as a link: both are there.
        Assert.DoesNotContain(result.Findings, f => f.RuleId is "disclose" or "key-facts");
    }
}
