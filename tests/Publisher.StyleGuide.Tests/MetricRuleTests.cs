namespace Publisher.StyleGuide.Tests;

public class MetricRuleTests
{
    private static MetricRule SentenceWords(int max) =>
        new() { Id = "long", Message = "{count} words; keep under {limit}.", Metric = TextMetric.SentenceWords, Max = max };

    private static MetricRule Readability(double min, int minWords = 0) =>
        new() { Id = "readable", Message = "Reading ease {value}, aim for {limit}.", Metric = TextMetric.Readability, Min = min, MinWords = minWords };

    [Fact]
    public void A_sentence_over_the_limit_is_reported_with_its_span()
    {
        var body = "Short one. This second sentence has exactly nine words in it. End.";
        var finding = Assert.Single(Lint.Body(Lint.Guide(SentenceWords(7)), body).Findings);
        Assert.Equal("This second sentence has exactly nine words in it.", finding.MatchedText);
        Assert.Equal(11, finding.Start);
        Assert.Equal("9 words; keep under 7.", finding.Message);
    }

    [Fact]
    public void A_sentence_at_the_limit_passes()
    {
        Assert.Empty(Lint.Body(Lint.Guide(SentenceWords(3)), "One two three. Four five six!").Findings);
    }

    [Fact]
    public void Line_breaks_end_sentences_and_decimals_do_not()
    {
        var body = "Beans for $12.50 each\nGrinders for $80 each\nMugs";
        Assert.Empty(Lint.Body(Lint.Guide(SentenceWords(4)), body).Findings);
    }

    [Fact]
    public void A_url_counts_as_one_word()
    {
        Assert.Empty(Lint.Body(Lint.Guide(SentenceWords(2)), "Read https://northwind.example/a.b/c?x=1.2").Findings);
    }

    [Fact]
    public void Hard_text_falls_under_a_readability_floor_and_plain_text_does_not()
    {
        var hard = "Organisational considerations notwithstanding, comprehensive sustainability initiatives necessitate interdisciplinary collaboration and unprecedented institutional accountability.";
        var plain = "We roast on Tuesdays. Your beans ship the same day. They taste best in a week.";

        var finding = Assert.Single(Lint.Body(Lint.Guide(Readability(50)), hard).Findings);
        Assert.Equal(0, finding.Start);
        Assert.Equal(hard.Length, finding.Length);
        Assert.StartsWith("Reading ease -", finding.Message);
        Assert.Equal("readable|body|readability", finding.Key);

        Assert.Empty(Lint.Body(Lint.Guide(Readability(50)), plain).Findings);
    }

    [Fact]
    public void Hard_text_points_to_the_sentences_that_pull_the_score_down_not_the_whole_body()
    {
        const string easy1 = "We roast on Tuesdays.";
        const string hard1 = "Organisational considerations notwithstanding, comprehensive sustainability initiatives necessitate interdisciplinary collaboration.";
        const string easy2 = "Your beans ship the same day.";
        const string hard2 = "Unprecedented institutional accountability characterises contemporary agricultural procurement.";
        var body = $"{easy1} {hard1}\n{easy2} {hard2} They taste best in a week.";

        var finding = Assert.Single(Lint.Body(Lint.Guide(Readability(50)), body).Findings);

        Assert.Equal([hard1, hard2], finding.Highlights.Select(h => h.Text));
        Assert.All(finding.Highlights, h => Assert.Equal(h.Text, body.Substring(h.Start, h.Length)));
        // The finding's own span is the hardest sentence, one of those highlighted; the message still gives the body's score.
        Assert.Contains(finding.MatchedText, new[] { hard1, hard2 });
        Assert.Equal(finding.MatchedText, body.Substring(finding.Start, finding.Length));
        Assert.True(finding.Length < body.Length);
        Assert.StartsWith("Reading ease ", finding.Message);
        Assert.Equal("readable|body|readability", finding.Key);
    }

    [Fact]
    public void Fields_shorter_than_minWords_are_not_measured()
    {
        Assert.Empty(Lint.Body(Lint.Guide(Readability(50, minWords: 20)), "Unprecedented institutional accountability.").Findings);
    }

    [Fact]
    public void The_reading_ease_of_simple_text_is_high()
    {
        var (score, words) = TextScanners.FleschReadingEase("The cat sat on the mat. The dog ran.");
        Assert.Equal(9, words);
        Assert.True(score > 90, $"score {score}");
    }
}
