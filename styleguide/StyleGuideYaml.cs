using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Publisher.StyleGuide;

/// <summary>
/// Reads and writes style guides as YAML (the format is documented in the library's README).
/// <see cref="Parse"/> never throws: problems come back as diagnostics with line numbers, and a
/// guide with any error is not returned, so a failed import changes nothing.
/// </summary>
public static class StyleGuideYaml
{
    /// <summary>The format version this library reads and writes (<c>version: 1</c>).</summary>
    public const int FormatVersion = 1;

    /// <summary>
    /// The longest guide <see cref="Parse"/> reads, in characters (1 MB; a guide is a few hundred lines, so
    /// anything far larger is the wrong file). Longer text is refused before it is parsed.
    /// </summary>
    public const int MaxLength = 1024 * 1024;

    /// <summary>The deepest nesting of lists and mappings <see cref="Parse"/> accepts (64; a guide is about six deep), checked before parsing.</summary>
    public const int MaxDepth = YamlShapeGuard.MaxDepth;

    /// <summary>
    /// Reads a style guide. Empty text (or a file of comments) is a valid, empty guide.
    /// </summary>
    /// <param name="yaml">The YAML text.</param>
    /// <returns>The guide, or diagnostics saying on which line what is wrong and what to do.</returns>
    public static StyleGuideParseResult Parse(string? yaml) => StyleGuideYamlReader.Read(yaml);

    /// <summary>
    /// Writes a guide as canonical YAML: the same guide always gives the same text, and
    /// <see cref="Parse"/> of it gives back an equal guide. Settings left at their defaults are omitted.
    /// </summary>
    /// <param name="guide">The guide to write.</param>
    public static string Write(BrandStyleGuide guide)
    {
        var root = new YamlMappingNode { { "version", Plain(FormatVersion.ToString(CultureInfo.InvariantCulture)) } };

        var identity = guide.Identity;
        var identityNode = new YamlMappingNode();
        AddText(identityNode, "name", identity.Name);
        AddText(identityNode, "mission", identity.Mission);
        if (identity.Voice != BrandVoice.Empty)
        {
            var voice = new YamlMappingNode();
            AddText(voice, "summary", identity.Voice.Summary);
            AddList(voice, "traits", identity.Voice.Traits);
            AddList(voice, "do", identity.Voice.Do, flow: false);
            AddList(voice, "dont", identity.Voice.Dont, flow: false);
            identityNode.Add("voice", voice);
        }
        if (identity.Palette.Count > 0)
        {
            identityNode.Add("palette", new YamlSequenceNode(identity.Palette.Select(s =>
            {
                var node = new YamlMappingNode();
                AddText(node, "name", s.Name);
                AddText(node, "hex", s.Hex);
                AddText(node, "usage", s.Usage);
                return (YamlNode)node;
            })));
        }
        if (identity.Typography.Count > 0)
        {
            identityNode.Add("typography", new YamlSequenceNode(identity.Typography.Select(t =>
            {
                var node = new YamlMappingNode();
                AddText(node, "role", t.Role);
                AddText(node, "family", t.Family);
                AddText(node, "fallback", t.Fallback);
                AddText(node, "notes", t.Notes);
                return (YamlNode)node;
            })));
        }
        AddList(identityNode, "imageHosts", identity.ImageHosts);
        if (identityNode.Children.Count > 0)
        {
            root.Add("identity", identityNode);
        }

        var vocabulary = guide.Vocabulary;
        var vocabularyNode = new YamlMappingNode();
        if (vocabulary.BrandNames.Count > 0)
        {
            vocabularyNode.Add("brandNames", new YamlSequenceNode(vocabulary.BrandNames.Select(b =>
            {
                if (b.Misspellings.Count == 0 && b.Severity is null)
                {
                    return Text(b.Name);
                }
                var node = new YamlMappingNode();
                AddText(node, "name", b.Name);
                AddList(node, "misspellings", b.Misspellings);
                AddSeverity(node, b.Severity);
                return node;
            })));
        }
        if (vocabulary.Preferred.Count > 0)
        {
            vocabularyNode.Add("preferred", new YamlSequenceNode(vocabulary.Preferred.Select(p =>
            {
                var node = new YamlMappingNode();
                AddText(node, "term", p.Term);
                AddList(node, "avoid", p.Avoid, always: true);
                AddText(node, "note", p.Note);
                AddSeverity(node, p.Severity);
                return (YamlNode)node;
            })));
        }
        if (vocabulary.Banned.Count > 0)
        {
            vocabularyNode.Add("banned", new YamlSequenceNode(vocabulary.Banned.Select(b =>
            {
                if (b.Reason is null && b.Severity is null)
                {
                    return Text(b.Term);
                }
                var node = new YamlMappingNode();
                AddText(node, "term", b.Term);
                AddText(node, "reason", b.Reason);
                AddSeverity(node, b.Severity);
                return node;
            })));
        }
        if (vocabularyNode.Children.Count > 0)
        {
            root.Add("vocabulary", vocabularyNode);
        }

        if (guide.Rules.Count > 0)
        {
            root.Add("rules", new YamlSequenceNode(guide.Rules.Select(WriteRule)));
        }

        var stream = new YamlStream(new YamlDocument(root));
        var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // YamlDotNet ends a saved stream with a document-end marker; a style guide is one document.
        if (text.EndsWith("...\n", StringComparison.Ordinal))
        {
            text = text[..^4];
        }
        return text;
    }

    /// <summary>
    /// The guide's version: <c>sha256:</c> and the lowercase hex SHA-256 of the UTF-8 bytes of
    /// <see cref="Write"/>. Equal guides get equal versions whatever order they were edited in.
    /// </summary>
    /// <param name="guide">The guide.</param>
    public static string ComputeVersion(BrandStyleGuide guide) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Write(guide))));

    private static YamlNode WriteRule(StyleRule rule)
    {
        var node = new YamlMappingNode();
        AddText(node, "id", rule.Id);
        node.Add("kind", Plain(rule.Kind));
        AddText(node, "message", rule.Message);
        node.Add("severity", Plain(YamlNames.Of(rule.Severity)));
        if (rule.Scope.Channels.Count > 0 || rule.Scope.Fields.Count > 0)
        {
            var scope = new YamlMappingNode();
            AddList(scope, "channels", rule.Scope.Channels);
            AddList(scope, "fields", rule.Scope.Fields);
            node.Add("scope", scope);
        }
        if (!rule.IgnoreCase)
        {
            node.Add("ignoreCase", Plain("false"));
        }
        if (!rule.IgnoreAccents)
        {
            node.Add("ignoreAccents", Plain("false"));
        }

        switch (rule)
        {
            case ExistenceRule existence:
                AddMatcher(node, existence.Match);
                break;
            case SubstitutionRule substitution:
                var swap = new YamlMappingNode();
                foreach (var s in substitution.Swap)
                {
                    swap.Add(Text(s.From), Text(s.To));
                }
                node.Add("swap", swap);
                break;
            case CapitalizationRule capitalization:
                AddList(node, "terms", capitalization.Terms, always: true);
                break;
            case OccurrenceRule occurrence:
                if (occurrence.Token != OccurrenceToken.Custom)
                {
                    node.Add("token", Plain(YamlNames.Of(occurrence.Token)));
                }
                AddMatcher(node, occurrence.Match);
                AddNumber(node, "max", occurrence.Max);
                AddNumber(node, "min", occurrence.Min);
                break;
            case ConditionalRule conditional:
                var condition = new YamlMappingNode();
                AddMatcher(condition, conditional.If.Match);
                if (conditional.If.Sponsored)
                {
                    condition.Add("sponsored", Plain("true"));
                }
                node.Add("if", condition);
                var then = new YamlMappingNode();
                AddMatcher(then, conditional.Then);
                node.Add("then", then);
                break;
            case MetricRule metric:
                node.Add("metric", Plain(YamlNames.Of(metric.Metric)));
                AddNumber(node, "max", metric.Max);
                AddNumber(node, "min", metric.Min);
                if (metric.MinWords != 0)
                {
                    AddNumber(node, "minWords", metric.MinWords);
                }
                break;
            case RequiredRule required:
                node.Add("element", Plain(YamlNames.Of(required.Element)));
                AddMatcher(node, required.Match);
                break;
        }
        AddList(node, "exceptions", rule.Exceptions);
        return node;
    }

    private static void AddMatcher(YamlMappingNode node, TextMatcher matcher)
    {
        AddList(node, "tokens", matcher.Tokens);
        AddList(node, "patterns", matcher.Patterns, flow: false);
    }

    private static void AddSeverity(YamlMappingNode node, Severity? severity)
    {
        if (severity is { } value)
        {
            node.Add("severity", Plain(YamlNames.Of(value)));
        }
    }

    private static void AddNumber(YamlMappingNode node, string key, double? value)
    {
        if (value is { } number)
        {
            node.Add(key, Plain(number.ToString("R", CultureInfo.InvariantCulture)));
        }
    }

    private static void AddText(YamlMappingNode node, string key, string? value)
    {
        if (value is not null)
        {
            node.Add(key, Text(value));
        }
    }

    private static void AddList(YamlMappingNode node, string key, IReadOnlyList<string> items, bool flow = true, bool always = false)
    {
        if (items.Count == 0 && !always)
        {
            return;
        }
        var sequence = new YamlSequenceNode(items.Select(Text));
        // Short lists of short words read best on one line: `avoid: [signup, sign-up]`.
        if (flow && items.Sum(i => i.Length + 2) <= 60 && items.All(i => !i.Contains('\n')))
        {
            sequence.Style = YamlDotNet.Core.Events.SequenceStyle.Flow;
        }
        node.Add(key, sequence);
    }

    private static YamlScalarNode Plain(string value) => new(value) { Style = ScalarStyle.Plain };

    private static YamlNode Text(string? value)
    {
        value ??= ""; // a guide built in code may leave a required string null; the reader then reports it
        // Quote what a reader would otherwise take for null, and anything with line breaks or
        // edge spaces, so every string reads back exactly as written.
        var needsQuotes = value.Length == 0 || value is "~" or "null" or "Null" or "NULL"
            || value.Contains('\n') || value.Contains('\r') || value.Contains('\t')
            || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]);
        return new YamlScalarNode(value) { Style = needsQuotes ? ScalarStyle.DoubleQuoted : ScalarStyle.Any };
    }
}
