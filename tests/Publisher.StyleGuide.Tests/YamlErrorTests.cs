namespace Publisher.StyleGuide.Tests;

public class YamlErrorTests
{
    private static StyleGuideDiagnostic SingleError(string yaml)
    {
        var result = StyleGuideYaml.Parse(yaml);
        Assert.False(result.Succeeded);
        Assert.Null(result.Guide);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void Malformed_yaml_names_the_line_and_changes_nothing()
    {
        var error = SingleError("""
            rules:
              - id: a
                kind: existence
                message: "unclosed
                tokens: [x]
            """);
        Assert.InRange(error.Line, 4, 5);
        Assert.Contains("malformed", error.Message);
    }

    [Fact]
    public void Bad_indentation_names_the_line()
    {
        var error = SingleError("identity:\n  name: Acme\n mission: x\n");
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void An_unknown_rule_kind_names_its_line_and_suggests_the_closest_kind()
    {
        var error = SingleError("""
            rules:
              - id: hype
                kind: existance
                message: No hype.
                tokens: [ultimate]
            """);
        Assert.Equal(3, error.Line);
        Assert.Equal(11, error.Column);
        Assert.Contains("unknown kind 'existance'", error.Message);
        Assert.Contains("did you mean 'existence'", error.Message);
    }

    [Fact]
    public void An_invalid_regex_names_the_pattern_line_and_what_is_wrong()
    {
        var error = SingleError("""
            rules:
              - id: prices
                kind: existence
                message: No prices.
                patterns:
                  - '\d+'
                  - '(\$[0-9]+'
            """);
        Assert.Equal(7, error.Line);
        Assert.Contains("invalid regular expression '(\\$[0-9]+'", error.Message);
        Assert.Equal("rules[0].patterns[1]", error.Path);
    }

    [Fact]
    public void A_rule_without_a_message_names_the_rule_and_says_to_add_one()
    {
        var error = SingleError("""
            version: 1
            rules:
              - id: hype
                kind: existence
                tokens: [ultimate]
            """);
        Assert.Equal(3, error.Line);
        Assert.Contains("Rule 'hype' has no message", error.Message);
        Assert.Contains("add `message:`", error.Message);
    }

    [Fact]
    public void A_rule_without_a_kind_is_reported()
    {
        var error = SingleError("rules:\n  - id: x\n    message: y\n");
        Assert.Equal(2, error.Line);
        Assert.Contains("has no kind", error.Message);
    }

    [Fact]
    public void A_misspelt_key_is_reported_with_a_suggestion()
    {
        var error = SingleError("""
            rules:
              - id: hype
                kind: existence
                mesage: No hype.
                message: No hype.
                tokens: [ultimate]
            """);
        Assert.Equal(4, error.Line);
        Assert.Contains("did you mean 'message'", error.Message);
    }

    [Theory]
    [InlineData("severity: critical", "Unknown severity 'critical'")]
    [InlineData("min: lots", "must be a whole number")]
    [InlineData("ignoreCase: sometimes", "must be true or false")]
    public void A_wrong_value_names_its_line_and_the_allowed_values(string line, string expected)
    {
        var yaml = "rules:\n  - id: tags\n    kind: occurrence\n    message: Too many.\n    token: hashtag\n    max: 1\n    " + line + "\n";
        var error = SingleError(yaml);
        Assert.Equal(7, error.Line);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Duplicate_ids_and_impossible_limits_are_errors()
    {
        var result = StyleGuideYaml.Parse("""
            rules:
              - id: a
                kind: occurrence
                message: m
                token: emoji
                max: 1
                min: 3
              - id: a
                kind: key-facts
                message: m
            """);
        Assert.Null(result.Guide);
        Assert.Equal([7, 8], result.Errors.Select(e => e.Line).ToArray());
    }

    [Fact]
    public void Several_errors_are_reported_together_in_line_order()
    {
        var result = StyleGuideYaml.Parse("""
            identity:
              palette:
                - name: Brown
                  hex: brown
            rules:
              - id: a
                kind: existence
                tokens: [x]
              - id: b
                kind: wat
                message: m
            """);
        Assert.Null(result.Guide);
        Assert.Equal([4, 6, 10], result.Errors.Select(e => e.Line).ToArray());
    }

    [Fact]
    public void A_channel_publisher_does_not_know_is_a_warning_not_an_error()
    {
        var result = StyleGuideYaml.Parse("""
            rules:
              - id: a
                kind: key-facts
                message: m
                scope:
                  channels: [Twitter]
            """);
        Assert.True(result.Succeeded);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal(6, warning.Line);
        Assert.Contains("'Twitter'", warning.Message);
    }

    [Fact]
    public void A_failed_import_leaves_the_linter_on_the_previous_guide()
    {
        var linter = new StyleGuideLinter();
        var current = Lint.ParseOrFail("vocabulary:\n  banned: [cheap]\n");
        var import = StyleGuideYaml.Parse("vocabulary:\n  banned: [cheap\n");

        var guideInUse = import.Guide ?? current;

        Assert.False(import.Succeeded);
        Assert.Same(current, guideInUse);
        Assert.Single(linter.Lint(guideInUse, new LintInput { Channel = "X", Body = "cheap" }).Findings);
    }

    [Fact]
    public void A_second_document_is_rejected()
    {
        var error = SingleError("version: 1\n---\nversion: 1\n");
        Assert.Contains("more than one YAML document", error.Message);
    }

    [Fact]
    public void A_key_given_twice_is_an_error()
    {
        var error = SingleError("identity:\n  name: A\n  name: B\n");
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void A_huge_file_is_refused_without_being_read()
    {
        var error = SingleError("# " + new string('x', 5 * 1024 * 1024));
        Assert.Contains("at most", error.Message);
    }

    [Fact]
    public void A_list_where_text_is_expected_is_reported()
    {
        var error = SingleError("identity:\n  name: [A, B]\n");
        Assert.Equal(2, error.Line);
        Assert.Contains("Expected text for `name`", error.Message);
    }
}
