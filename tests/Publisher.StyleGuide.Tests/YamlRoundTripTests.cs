namespace Publisher.StyleGuide.Tests;

public class YamlRoundTripTests
{
    private static BrandStyleGuide RoundTrip(BrandStyleGuide guide)
    {
        var yaml = StyleGuideYaml.Write(guide);
        var result = StyleGuideYaml.Parse(yaml);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics) + "\n" + yaml);
        Assert.Equal(yaml, StyleGuideYaml.Write(result.Guide!));
        return result.Guide!;
    }

    [Fact]
    public void The_default_guide_survives_a_round_trip_unchanged()
    {
        var guide = DefaultStyleGuide.Load();
        Assert.Equal(guide, RoundTrip(guide));
    }

    [Fact]
    public void Every_rule_kind_and_every_setting_survives_a_round_trip()
    {
        var scope = new RuleScope(["X", "Email"], ["body", "subject"]);
        var guide = new BrandStyleGuide
        {
            Identity = new BrandIdentity
            {
                Name = "Acme",
                Mission = "Line one.\nLine two, with a trailing newline.\n",
                Voice = new BrandVoice { Summary = "Calm", Traits = ["Calm"], Do = ["Say it plainly."], Dont = ["SHOUT!!!"] },
                Palette = [new ColorSwatch("Ink", "#000", null), new ColorSwatch("Paper", "#FFFFFF", "Backgrounds")],
                Typography = [new Typeface("Body", "Inter"), new Typeface("Code", "JetBrains Mono", "monospace", "13px")],
            },
            Vocabulary = new BrandVocabulary
            {
                BrandNames = [new BrandName("Acme"), new BrandName("AcmeOne", ["Acme One"], Severity.Warning)],
                Preferred = [new PreferredTerm("sign up", ["signup"], null, Severity.Error)],
                Banned = [new BannedTerm("cheap"), new BannedTerm("free", "Legal.", Severity.Suggestion)],
            },
            Rules =
            [
                new ExistenceRule
                {
                    Id = "e", Message = "m {match}", Severity = Severity.Error, Scope = scope, Exceptions = ["first class"],
                    IgnoreCase = false, IgnoreAccents = false, Match = new TextMatcher(["class"], [@"\bfoo\d+", @"'quoted' ""double"""]),
                },
                new SubstitutionRule { Id = "s", Message = "m", Swap = [new Substitution("in order to", "to"), new Substitution("yes", "no")] },
                new CapitalizationRule { Id = "c", Message = "m", Severity = Severity.Suggestion, Terms = ["AeroPress"] },
                new OccurrenceRule { Id = "o1", Message = "m", Token = OccurrenceToken.Emoji, Max = 2, Min = 1 },
                new OccurrenceRule { Id = "o2", Message = "m", Match = new TextMatcher(["free"], []), Max = 0 },
                new ConditionalRule { Id = "k1", Message = "m", If = new RuleCondition(new TextMatcher(["#ad"], []), true), Then = new TextMatcher([], ["paid"]) },
                new MetricRule { Id = "m1", Message = "m", Metric = TextMetric.Readability, Min = 55.5, Max = 90, MinWords = 10 },
                new MetricRule { Id = "m2", Message = "m", Metric = TextMetric.SentenceWords, Max = 25 },
                new RequiredRule { Id = "r1", Message = "m", Element = RequiredElement.CallToAction },
                new RequiredRule { Id = "r2", Message = "m", Element = RequiredElement.Text, Match = new TextMatcher(["Acme"], []) },
                new KeyFactsRule { Id = "f", Message = "m", Severity = Severity.Error },
            ],
        };

        Assert.Equal(guide, RoundTrip(guide));
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("true")]
    [InlineData("123")]
    [InlineData("#hash")]
    [InlineData("key: value")]
    [InlineData("- dash")]
    [InlineData("  leading and trailing  ")]
    [InlineData("tab\there")]
    [InlineData("quote ' and \" both")]
    [InlineData("back\\slash \\d+")]
    [InlineData("ünïcödé ☕ 中文")]
    [InlineData("[not, a, list]")]
    [InlineData("{not: a map}")]
    [InlineData("ends with newline\n")]
    [InlineData("*star &amp !bang %percent @at `tick`")]
    public void Awkward_strings_are_written_so_they_read_back_the_same(string value)
    {
        var guide = new BrandStyleGuide
        {
            Identity = new BrandIdentity { Name = value, Voice = new BrandVoice { Do = [value] } },
            Rules = [new ExistenceRule { Id = "r", Message = "msg " + value, Match = new TextMatcher(["x" + value], []) }],
        };
        Assert.Equal(guide, RoundTrip(guide));
    }

    [Fact]
    public void Writing_is_canonical_so_equal_guides_have_equal_versions()
    {
        var a = DefaultStyleGuide.Load();
        var b = StyleGuideYaml.Parse(StyleGuideYaml.Write(a)).Guide!;
        Assert.Equal(a.ComputeVersion(), b.ComputeVersion());
        Assert.Matches("^sha256:[0-9a-f]{64}$", a.ComputeVersion());

        var changed = a with { Vocabulary = a.Vocabulary with { Banned = [.. a.Vocabulary.Banned, new BannedTerm("new")] } };
        Assert.NotEqual(a.ComputeVersion(), changed.ComputeVersion());
    }

    [Fact]
    public void Short_forms_are_accepted_when_reading()
    {
        var guide = Lint.ParseOrFail("""
            vocabulary:
              brandNames: [Northwind]
              banned: [cheap]
            rules:
              - id: caps
                kind: capitalisation
                message: Write {fix}.
                terms: AeroPress
            """);
        Assert.Equal("Northwind", guide.Vocabulary.BrandNames[0].Name);
        Assert.Equal("cheap", guide.Vocabulary.Banned[0].Term);
        Assert.Equal(["AeroPress"], ((CapitalizationRule)guide.Rules[0]).Terms.ToArray());
        Assert.Equal(Severity.Warning, guide.Rules[0].Severity);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing but a comment\n")]
    [InlineData("---\n")]
    [InlineData("version: 1\n")]
    [InlineData("version: 1\nidentity: {}\nvocabulary: {}\nrules: []\n")]
    public void An_empty_guide_is_valid_and_passes_everything(string yaml)
    {
        var guide = Lint.ParseOrFail(yaml);
        Assert.Equal(BrandStyleGuide.Empty, guide);
        var result = Lint.Body(guide, "Anything at all!!! #a #b #c");
        Assert.Empty(result.Findings);
        Assert.Equal(100, result.Score);
        Assert.Equal(BrandStyleGuide.Empty, RoundTrip(BrandStyleGuide.Empty));
    }
}
