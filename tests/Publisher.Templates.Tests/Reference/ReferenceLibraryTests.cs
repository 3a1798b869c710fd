using Publisher.Templates.Bluesky;

namespace Publisher.Templates.Tests.Reference;

/// <summary>
/// Publisher against the networks' own libraries, run by Node in this test: twitter-text 3.1.0 for X (weighted
/// length, validity, entities) and @atproto/api's RichText with the Bluesky app's link shortening (text as posted,
/// graphemes, facets). Every field of every text in the corpus must agree.
/// </summary>
public class ReferenceLibraryTests
{
    private static readonly Lazy<(IReadOnlyList<string> Texts, ReferenceRun Run)> Reference = new(() =>
    {
        var texts = ChannelCorpus.Generate();
        return (texts, ReferenceLibraries.Run(texts));
    });

    [Fact]
    public void Every_text_of_the_corpus_is_counted_and_extracted_as_the_reference_libraries_do()
    {
        var (texts, run) = Reference.Value;
        Assert.Equal(texts.Count, run.Answers.Count);
        var differences = texts.SelectMany((text, i) => ReferenceLibraries.Differences(text, run.Answers[i], ReferenceLibraries.Publisher(text))).ToList();
        Assert.True(differences.Count == 0, $"{differences.Count} differences in {texts.Count} texts:\n" + string.Join("\n", differences.Take(40)));
    }

    [Fact]
    public void The_corpus_exercises_every_kind_of_entity_and_facet()
    {
        // A corpus that produced no cashtag (say) would compare nothing about cashtags.
        var (_, run) = Reference.Value;
        var x = run.Answers.SelectMany(a => a.X.Entities).GroupBy(e => e.Type).ToDictionary(g => g.Key, g => g.Count());
        var bluesky = run.Answers.SelectMany(a => a.Bluesky.Facets).GroupBy(e => e.Type).ToDictionary(g => g.Key, g => g.Count());
        foreach (var type in new[] { "url", "hashtag", "mention", "cashtag" }) Assert.True(x.GetValueOrDefault(type) >= 20, $"only {x.GetValueOrDefault(type)} X {type} entities");
        foreach (var type in new[] { "link", "mention", "tag" }) Assert.True(bluesky.GetValueOrDefault(type) >= 20, $"only {bluesky.GetValueOrDefault(type)} Bluesky {type} facets");
        Assert.Contains(run.Answers, a => a.Bluesky.Facets.Any(f => f.Value.StartsWith('$')));
        Assert.Contains(run.Answers, a => a.Bluesky.Text.Contains("...", StringComparison.Ordinal));
        Assert.Contains(run.Answers, a => !a.X.Valid && a.X.WeightedLength > 280);
    }

    [Fact]
    public void Bluesky_top_level_domains_are_the_list_RichText_checks_against()
    {
        var (_, run) = Reference.Value;
        Assert.Equal(run.BlueskyTlds.OrderBy(t => t, StringComparer.Ordinal), BlueskyRichText.TopLevelDomainList.OrderBy(t => t, StringComparer.Ordinal));
    }
}
