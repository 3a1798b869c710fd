using System.Text;
using YamlDotNet.RepresentationModel;

namespace Publisher.StyleGuide.Tests;

/// <summary>
/// YAML that nests absurdly deep or is far too long is refused before the parser sees it, with its line;
/// the depth the guard counts is never less than the parser's, whatever the YAML looks like.
/// </summary>
public class YamlShapeTests
{
    private static StyleGuideDiagnostic SingleError(string yaml)
    {
        // A thread with a small stack: a parser that recursed per level would overflow it and end the test run.
        StyleGuideParseResult? result = null;
        var thread = new Thread(() => result = StyleGuideYaml.Parse(yaml), 256 * 1024);
        thread.Start();
        thread.Join();
        Assert.NotNull(result);
        Assert.False(result.Succeeded);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void Brackets_nested_100000_deep_are_refused_at_their_line_before_parsing()
    {
        // The request that ended the web process: about 200 KB.
        var error = SingleError("version: 1\nidentity: " + new string('[', 100_000) + new string(']', 100_000));
        Assert.Equal(2, error.Line);
        Assert.Equal(10 + StyleGuideYaml.MaxDepth, error.Column); // the bracket that goes one level too deep (the mapping is one)
        Assert.Contains($"more than {StyleGuideYaml.MaxDepth} levels deep", error.Message);
    }

    [Fact]
    public void Braces_and_block_entries_nested_deep_are_refused_too()
    {
        Assert.Contains("levels deep", SingleError("rules: " + new string('{', 50_000)).Message);
        var dashes = SingleError("rules:\n" + string.Concat(Enumerable.Repeat("- ", 100_000)) + "x");
        Assert.Equal(2, dashes.Line);
        var indented = new StringBuilder();
        for (var level = 0; level < 200; level++)
            indented.Append(' ', level).Append('k').Append(level).Append(":\n");
        var error = SingleError(indented.ToString());
        Assert.InRange(error.Line, StyleGuideYaml.MaxDepth / 2, StyleGuideYaml.MaxDepth + 1);
    }

    [Fact]
    public void Brackets_inside_quotes_comments_and_block_scalars_are_text_and_pass()
    {
        var deep = new string('[', 500);
        var result = StyleGuideYaml.Parse($$"""
            identity:
              name: '{{deep}}'
              mission: "{{deep}} \" {{deep}}"
              voice:
                summary: |
                  {{deep}}
                    {{deep}}
                traits: [a, "b [[", 'c '' [[[']  # {{deep}}
            """);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Message)));
        Assert.Equal(deep, result.Guide!.Identity.Name);
    }

    [Fact]
    public void A_plain_scalar_that_goes_on_over_lines_cannot_hide_brackets_behind_an_apostrophe()
    {
        // "'x" continues the plain scalar above (no quote opens); the next key's brackets are real.
        var error = SingleError("identity:\n  mission: a plain\n    'x\n  name: " + new string('[', 1_000));
        Assert.Equal(4, error.Line);
    }

    [Fact]
    public void A_block_scalar_ends_where_the_parser_ends_it_so_it_cannot_hide_brackets_either()
    {
        // The text is indented 6; a line indented 4 ends it, and what follows is parsed as YAML.
        var error = SingleError("identity:\n  voice:\n    summary: |\n      text\n    traits: " + new string('[', 1_000));
        Assert.Equal(5, error.Line);
        // With an explicit indentation indicator the text is indented exactly that much more than its key: the
        // apostrophe is text, not a quote that would run on over the brackets.
        Assert.Equal(4, SingleError("identity:\n  mission: |4\n      'x\n  name: " + new string('[', 1_000)).Line);
        // In a sequence entry's mapping, the text is indented beyond the key, not the dash.
        Assert.Equal(4, SingleError("rules:\n  - id: |\n     'x\n    kind: " + new string('[', 1_000)).Line);
    }

    [Fact]
    public void Text_that_makes_the_yaml_library_throw_something_else_than_its_own_error_is_reported_as_malformed()
    {
        // YamlDotNet throws InvalidOperationException (not a YamlException) on this: it used to escape as a 500.
        var error = SingleError(": {\"\"o\n'");
        Assert.Contains("malformed", error.Message);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void Aliases_are_refused_at_their_line()
    {
        var error = SingleError("identity:\n  name: &n Acme\n  mission: *n\n");
        Assert.Equal(3, error.Line);
        Assert.Equal(12, error.Column);
        Assert.Contains("alias", error.Message);
    }

    [Fact]
    public void A_document_over_the_size_limit_is_refused_with_the_line_where_it_passes_the_limit()
    {
        var line = "# " + new string('x', 1_000) + "\n";
        var yaml = string.Concat(Enumerable.Repeat(line, StyleGuideYaml.MaxLength / line.Length + 10));
        var error = SingleError(yaml);
        Assert.Equal(StyleGuideYaml.MaxLength / line.Length + 1, error.Line);
        Assert.Contains($"at most {StyleGuideYaml.MaxLength / 1024:N0} KB", error.Message);
    }

    [Fact]
    public void The_shipped_guide_and_its_export_pass()
    {
        Assert.True(StyleGuideYaml.Parse(DefaultStyleGuide.Yaml).Succeeded);
        Assert.True(StyleGuideYaml.Parse(StyleGuideYaml.Write(DefaultStyleGuide.Load())).Succeeded);
        Assert.InRange(YamlShapeGuard.MeasureDepth(DefaultStyleGuide.Yaml), 3, 12);
    }

    /// <summary>
    /// Random documents in every style YamlDotNet writes (block, flow, quoted, folded, literal), with scalars
    /// full of brackets, quotes, colons and hashes: the guard's depth is at least the parser's, and not
    /// wildly more, so real files are never refused.
    /// </summary>
    [Fact]
    public void The_counted_depth_is_never_less_than_the_parsed_depth()
    {
        var random = new Random(20261124);
        var compared = 0;
        for (var i = 0; i < 1000; i++)
        {
            var root = RandomNode(random, random.Next(1, 12));
            var yaml = Emit(root, random);
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(yaml));
            }
            catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidOperationException)
            {
                continue; // a comment appended where YAML allows none: not a document to compare
            }
            compared++;
            var real = Depth(stream.Documents[0].RootNode);
            var counted = YamlShapeGuard.MeasureDepth(yaml);
            Assert.True(counted >= real, $"counted {counted} < parsed {real} for:\n{yaml}");
            Assert.True(counted <= 2 * real + 2, $"counted {counted} far above parsed {real} for:\n{yaml}");
        }
        Assert.True(compared > 750, $"only {compared} documents parsed");
    }

    private static readonly string[] Scalars =
        ["plain", "it's", "a: b", "[x", "{y}", "#tag", "x # not a comment", "'quoted'", "\"dq\"", "- dash", "line one\nline two\n", "  leading", "*star", "&amp", "|pipe", "> gt", "", "ünï", "tab\there", "a\\b"];

    private static YamlNode RandomNode(Random random, int depth)
    {
        if (depth <= 1 || random.Next(4) == 0)
        {
            var scalar = new YamlScalarNode(Scalars[random.Next(Scalars.Length)] + (random.Next(3) == 0 ? new string('[', random.Next(1, 90)) : ""));
            scalar.Style = (YamlDotNet.Core.ScalarStyle)random.Next(0, 6);
            return scalar;
        }
        if (random.Next(2) == 0)
        {
            var sequence = new YamlSequenceNode();
            for (var i = random.Next(1, 4); i > 0; i--) sequence.Add(RandomNode(random, depth - 1));
            sequence.Style = random.Next(3) == 0 ? YamlDotNet.Core.Events.SequenceStyle.Flow : YamlDotNet.Core.Events.SequenceStyle.Block;
            return sequence;
        }
        var mapping = new YamlMappingNode();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            var key = random.Next(3) == 0 ? Scalars[random.Next(Scalars.Length)].Replace("\n", " ") + i : $"k{i}";
            if (mapping.Children.ContainsKey(new YamlScalarNode(key))) continue;
            mapping.Add(new YamlScalarNode(key) { Style = (YamlDotNet.Core.ScalarStyle)random.Next(0, 4) }, RandomNode(random, depth - 1));
        }
        mapping.Style = random.Next(3) == 0 ? YamlDotNet.Core.Events.MappingStyle.Flow : YamlDotNet.Core.Events.MappingStyle.Block;
        return mapping;
    }

    private static string Emit(YamlNode root, Random random)
    {
        var writer = new StringWriter { NewLine = "\n" };
        var settings = new YamlDotNet.Core.EmitterSettings(bestIndent: random.Next(2, 10), bestWidth: random.Next(20, 200), isCanonical: false, maxSimpleKeyLength: 1024);
        new YamlStream(new YamlDocument(root)).Save(new YamlDotNet.Core.Emitter(writer, settings), assignAnchors: false);
        var text = writer.ToString();
        // Comments the emitter never writes, at the ends of some lines.
        return string.Join('\n', text.Split('\n').Select(l => random.Next(6) == 0 && l.Length > 0 && !l.TrimEnd().EndsWith('|') && !l.TrimEnd().EndsWith('>') ? l + " # [[[ '" : l));
    }

    private static int Depth(YamlNode node) => node switch
    {
        YamlSequenceNode s => 1 + s.Children.Select(Depth).DefaultIfEmpty(0).Max(),
        YamlMappingNode m => 1 + m.Children.Values.Select(Depth).DefaultIfEmpty(0).Max(),
        _ => 0,
    };
}
