using Publisher.Templates.Counting;
using YamlDotNet.RepresentationModel;

namespace Publisher.Templates.Tests.Counting;

public class TwitterTextConformanceTests
{
    [Theory]
    [InlineData("WeightedTweetsCounterTest", 2)]
    [InlineData("WeightedTweetsWithDiscountedEmojiCounterTest", 3)]
    [InlineData("UnicodeDirectionalMarkerCounterTest", 3)]
    public void Weighted_length_matches_every_twitter_text_validate_case(string section, int configVersion)
    {
        var config = TwitterTextConfiguration.FromJson(ConformanceFiles.ReadText($"config-v{configVersion}.json"));
        Assert.NotNull(config);
        Assert.Equal(configVersion == 3, config.EmojiParsingEnabled);

        var failures = new List<string>();
        var cases = ConformanceFiles.Section("validate.yml", section);
        foreach (var testCase in cases)
        {
            var text = testCase.Scalar("text");
            var expected = (YamlMappingNode)testCase.Child("expected");
            var actual = XWeightedLength.Parse(text, config);
            var expectedLine = Describe(
                int.Parse(expected.Scalar("weightedLength")), bool.Parse(expected.Scalar("valid")),
                int.Parse(expected.Scalar("permillage")),
                int.Parse(expected.Scalar("displayRangeStart")), int.Parse(expected.Scalar("displayRangeEnd")),
                int.Parse(expected.Scalar("validRangeStart")), int.Parse(expected.Scalar("validRangeEnd")));
            var actualLine = Describe(actual.WeightedLength, actual.IsValid, actual.Permillage,
                actual.DisplayRangeStart, actual.DisplayRangeEnd, actual.ValidRangeStart, actual.ValidRangeEnd);
            if (expectedLine != actualLine)
            {
                failures.Add($"{testCase.Scalar("description")}: expected {expectedLine}, got {actualLine}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases failed:\n" + string.Join("\n", failures));
    }

    private static string Describe(int length, bool valid, int permillage, int ds, int de, int vs, int ve) =>
        $"length={length} valid={valid} permillage={permillage} display={ds}..{de} valid={vs}..{ve}";

    [Theory]
    [InlineData("urls")]
    [InlineData("tco_urls_with_params")]
    public void Url_extraction_matches_every_twitter_text_extract_case(string section)
    {
        var failures = new List<string>();
        var cases = ConformanceFiles.Section("extract.yml", section);
        foreach (var testCase in cases)
        {
            var expected = ((YamlSequenceNode)testCase.Child("expected")).Children.Select(n => ((YamlScalarNode)n).Value).ToList();
            var actual = UrlExtractor.Extract(testCase.Scalar("text")).Select(u => u.Url).ToList();
            if (!expected.SequenceEqual(actual))
            {
                failures.Add($"{testCase.Scalar("description")}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases failed:\n" + string.Join("\n", failures));
    }

    [Theory]
    [InlineData("urls_with_indices")]
    [InlineData("urls_with_directional_markers")]
    public void Url_extraction_indices_match_every_twitter_text_extract_case(string section)
    {
        var failures = new List<string>();
        var cases = ConformanceFiles.Section("extract.yml", section);
        foreach (var testCase in cases)
        {
            var expected = ((YamlSequenceNode)testCase.Child("expected")).Children.Cast<YamlMappingNode>()
                .Select(n =>
                {
                    var indices = ((YamlSequenceNode)n.Child("indices")).Children.Select(i => int.Parse(((YamlScalarNode)i).Value!)).ToArray();
                    return $"{n.Scalar("url")}@{indices[0]}-{indices[1]}";
                }).ToList();
            var actual = UrlExtractor.Extract(testCase.Scalar("text")).Select(u => $"{u.Url}@{u.Start}-{u.End}").ToList();
            if (!expected.SequenceEqual(actual))
            {
                failures.Add($"{testCase.Scalar("description")}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases failed:\n" + string.Join("\n", failures));
    }

    [Theory]
    [InlineData("country")]
    [InlineData("generic")]
    public void Every_top_level_domain_in_the_twitter_text_list_is_extracted(string section)
    {
        var failures = new List<string>();
        var cases = ConformanceFiles.Section("tlds.yml", section);
        foreach (var testCase in cases)
        {
            var expected = ((YamlSequenceNode)testCase.Child("expected")).Children.Select(n => ((YamlScalarNode)n).Value).ToList();
            var actual = UrlExtractor.Extract(testCase.Scalar("text")).Select(u => u.Url).ToList();
            if (!expected.SequenceEqual(actual)) failures.Add($"{testCase.Scalar("description")}: got [{string.Join(", ", actual)}]");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases failed:\n" + string.Join("\n", failures.Take(20)));
    }
}
