using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Publisher.StyleGuide;

/// <summary>Reads the YAML tree into the model, collecting diagnostics with line numbers instead of throwing.</summary>
internal sealed class StyleGuideYamlReader
{
    private readonly List<StyleGuideDiagnostic> _diagnostics = [];

    // Where each model path came from, so validator findings (which know paths, not lines) get a line.
    private readonly Dictionary<string, Mark> _marks = new(StringComparer.Ordinal);

    public static StyleGuideParseResult Read(string? yaml)
    {
        var reader = new StyleGuideYamlReader();
        var guide = reader.ReadDocument(yaml ?? "");
        if (guide is not null)
        {
            foreach (var diagnostic in StyleGuideValidator.Validate(guide))
            {
                var mark = reader.MarkFor(diagnostic.Path);
                reader._diagnostics.Add(diagnostic with { Line = (int)mark.Line, Column = (int)mark.Column });
            }
        }
        var diagnostics = reader._diagnostics.OrderBy(d => d.Line).ThenBy(d => d.Column).ToList();
        var failed = diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
        return new StyleGuideParseResult(failed ? null : guide, diagnostics);
    }

    private Mark MarkFor(string path)
    {
        while (true)
        {
            if (_marks.TryGetValue(path, out var mark))
            {
                return mark;
            }
            var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            if (cut <= 0)
            {
                return _marks.TryGetValue("", out var root) ? root : Mark.Empty;
            }
            path = path[..cut];
        }
    }

    private BrandStyleGuide? ReadDocument(string yaml)
    {
        // Size and shape are checked before the YAML parser sees the text: a huge or absurdly nested file is
        // refused with its line instead of costing the parser minutes or the process its stack.
        if (yaml.Length > StyleGuideYaml.MaxLength)
        {
            var line = 1 + yaml.AsSpan(0, StyleGuideYaml.MaxLength).Count('\n');
            _diagnostics.Add(new(DiagnosticSeverity.Error,
                $"The file is {yaml.Length / 1024:N0} KB; a style guide may be at most {StyleGuideYaml.MaxLength / 1024:N0} KB (it passes that on line {line:N0}). Check that this is the right file.",
                "", line, 1));
            return null;
        }
        if (YamlShapeGuard.Check(yaml) is { } shape)
        {
            _diagnostics.Add(shape);
            return null;
        }
        var stream = new YamlStream();
        var parser = new PositionedParser(new Parser(new StringReader(yaml)));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            var message = ex.InnerException is YamlException inner && inner.Message != ex.Message ? inner.Message : ex.Message;
            _diagnostics.Add(new(DiagnosticSeverity.Error,
                $"The YAML is malformed: {message.TrimEnd('.')}. Check the indentation and quoting on this line or the one before it.",
                "", (int)ex.Start.Line, (int)ex.Start.Column));
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException or FormatException)
        {
            // YamlDotNet's scanner fails this way on some malformed text (`: {""o` then a quote on the next line);
            // it is still malformed YAML, found just after the last part that could be read.
            var at = parser.LastGood;
            _diagnostics.Add(new(DiagnosticSeverity.Error,
                "The YAML is malformed after this point and could not be read: check the quotes, brackets and braces here and on the next lines.",
                "", Math.Max(1, (int)at.Line), Math.Max(1, (int)at.Column)));
            return null;
        }

        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode))
        {
            return BrandStyleGuide.Empty;
        }
        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            _diagnostics.Add(new(DiagnosticSeverity.Error, "The file holds more than one YAML document (a second `---`): keep one style guide per file.", "", (int)second.Line, (int)second.Column));
            return null;
        }

        var root = Mapping(stream.Documents[0].RootNode, "", "the style guide", "version", "identity", "vocabulary", "rules");
        if (root is null)
        {
            return null;
        }
        if (root.TryGetValue("version", out var versionNode))
        {
            var version = Int(versionNode, "version");
            if (version is not null and not 1)
            {
                Error(versionNode, $"This is format version {version}; this Publisher reads version 1. Set `version: 1` or export the guide again from a matching Publisher.");
            }
        }
        return new BrandStyleGuide
        {
            Identity = root.TryGetValue("identity", out var identity) ? ReadIdentity(identity) : BrandIdentity.Empty,
            Vocabulary = root.TryGetValue("vocabulary", out var vocabulary) ? ReadVocabulary(vocabulary) : BrandVocabulary.Empty,
            Rules = root.TryGetValue("rules", out var rules) ? List(rules, "rules", ReadRule).OfType<StyleRule>().ToValueList() : ValueList<StyleRule>.Empty,
        };
    }

    private BrandIdentity ReadIdentity(YamlNode node)
    {
        var map = Mapping(node, "identity", "identity", "name", "mission", "voice", "palette", "typography", "imageHosts");
        if (map is null)
        {
            return BrandIdentity.Empty;
        }
        var voice = BrandVoice.Empty;
        if (map.TryGetValue("voice", out var voiceNode) && Mapping(voiceNode, "identity.voice", "voice", "summary", "traits", "do", "dont") is { } v)
        {
            voice = new BrandVoice
            {
                Summary = OptionalString(v, "summary", "identity.voice.summary"),
                Traits = Strings(v, "traits", "identity.voice.traits"),
                Do = Strings(v, "do", "identity.voice.do"),
                Dont = Strings(v, "dont", "identity.voice.dont"),
            };
        }
        return new BrandIdentity
        {
            Name = OptionalString(map, "name", "identity.name"),
            Mission = OptionalString(map, "mission", "identity.mission"),
            Voice = voice,
            Palette = map.TryGetValue("palette", out var palette)
                ? List(palette, "identity.palette", (item, path) =>
                    Mapping(item, path, "palette colour", "name", "hex", "usage") is { } m
                        ? new ColorSwatch(OptionalString(m, "name", path + ".name") ?? "", OptionalString(m, "hex", path + ".hex") ?? "", OptionalString(m, "usage", path + ".usage"))
                        : null).OfType<ColorSwatch>().ToValueList()
                : ValueList<ColorSwatch>.Empty,
            Typography = map.TryGetValue("typography", out var typography)
                ? List(typography, "identity.typography", (item, path) =>
                    Mapping(item, path, "typeface", "role", "family", "fallback", "notes") is { } m
                        ? new Typeface(OptionalString(m, "role", path + ".role") ?? "", OptionalString(m, "family", path + ".family") ?? "",
                            OptionalString(m, "fallback", path + ".fallback"), OptionalString(m, "notes", path + ".notes"))
                        : null).OfType<Typeface>().ToValueList()
                : ValueList<Typeface>.Empty,
            ImageHosts = Strings(map, "imageHosts", "identity.imageHosts"),
        };
    }

    private BrandVocabulary ReadVocabulary(YamlNode node)
    {
        var map = Mapping(node, "vocabulary", "vocabulary", "brandNames", "preferred", "banned");
        if (map is null)
        {
            return BrandVocabulary.Empty;
        }
        return new BrandVocabulary
        {
            BrandNames = map.TryGetValue("brandNames", out var brands)
                ? List(brands, "vocabulary.brandNames", (item, path) =>
                {
                    if (item is YamlScalarNode)
                    {
                        return new BrandName(String(item, path + ".name") ?? "");
                    }
                    return Mapping(item, path, "brand name", "name", "misspellings", "severity") is { } m
                        ? new BrandName(OptionalString(m, "name", path + ".name") ?? "", Strings(m, "misspellings", path + ".misspellings"), OptionalSeverity(m, path))
                        : null;
                }).OfType<BrandName>().ToValueList()
                : ValueList<BrandName>.Empty,
            Preferred = map.TryGetValue("preferred", out var preferred)
                ? List(preferred, "vocabulary.preferred", (item, path) =>
                    Mapping(item, path, "preferred term", "term", "avoid", "note", "severity") is { } m
                        ? new PreferredTerm(OptionalString(m, "term", path + ".term") ?? "", Strings(m, "avoid", path + ".avoid"),
                            OptionalString(m, "note", path + ".note"), OptionalSeverity(m, path))
                        : null).OfType<PreferredTerm>().ToValueList()
                : ValueList<PreferredTerm>.Empty,
            Banned = map.TryGetValue("banned", out var banned)
                ? List(banned, "vocabulary.banned", (item, path) =>
                {
                    if (item is YamlScalarNode)
                    {
                        return new BannedTerm(String(item, path + ".term") ?? "");
                    }
                    return Mapping(item, path, "banned term", "term", "reason", "severity") is { } m
                        ? new BannedTerm(OptionalString(m, "term", path + ".term") ?? "", OptionalString(m, "reason", path + ".reason"), OptionalSeverity(m, path))
                        : null;
                }).OfType<BannedTerm>().ToValueList()
                : ValueList<BannedTerm>.Empty,
        };
    }

    private static readonly string[] s_commonRuleKeys = ["id", "kind", "message", "severity", "scope", "exceptions", "ignoreCase", "ignoreAccents"];

    private StyleRule? ReadRule(YamlNode node, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            Error(node, $"Each rule must be a mapping with `id:`, `kind:` and `message:`; found {Describe(node)}.");
            return null;
        }
        var kindNode = mapping.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: "kind" }).Value;
        var idNode = mapping.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: "id" }).Value;
        var label = idNode is YamlScalarNode { Value: { Length: > 0 } idValue } ? $"Rule '{idValue}'" : "This rule";
        if (kindNode is null)
        {
            Error(node, $"{label} has no kind: add `kind:` with one of {string.Join(", ", YamlNames.Kinds)}.");
            return null;
        }
        var kind = String(kindNode, path + ".kind");
        if (kind == "capitalisation")
        {
            kind = "capitalization";
        }
        string[] kindKeys = kind switch
        {
            "existence" => ["tokens", "patterns"],
            "substitution" => ["swap"],
            "capitalization" => ["terms"],
            "occurrence" => ["token", "tokens", "patterns", "max", "min"],
            "conditional" => ["if", "then"],
            "metric" => ["metric", "max", "min", "minWords"],
            "required" => ["element", "tokens", "patterns"],
            "key-facts" => [],
            _ => null!,
        };
        if (kindKeys is null)
        {
            var suggestion = kind is null ? null : YamlNames.Closest(kind, YamlNames.Kinds);
            Error(kindNode, $"{label} has unknown kind '{kind}'{(suggestion is null ? "" : $": did you mean '{suggestion}'?")} Use one of {string.Join(", ", YamlNames.Kinds)}.");
            return null;
        }

        var map = Mapping(node, path, label == "This rule" ? $"this {kind} rule" : $"{kind} rule '{((YamlScalarNode)idNode!).Value}'", [.. s_commonRuleKeys, .. kindKeys]);
        if (map is null)
        {
            return null;
        }

        StyleRule? rule = kind switch
        {
            "existence" => new ExistenceRule { Id = "", Message = "", Match = Matcher(map, path) },
            "substitution" => new SubstitutionRule { Id = "", Message = "", Swap = Swaps(map, path) },
            "capitalization" => new CapitalizationRule { Id = "", Message = "", Terms = Strings(map, "terms", path + ".terms") },
            "occurrence" => ReadOccurrence(map, path),
            "conditional" => ReadConditional(map, path),
            "metric" => ReadMetric(map, path),
            "required" => new RequiredRule
            {
                Id = "",
                Message = "",
                Element = map.TryGetValue("element", out var element) ? Enum(element, path + ".element", "element", YamlNames.Elements) ?? RequiredElement.Text : RequiredElement.Text,
                Match = Matcher(map, path),
            },
            "key-facts" => new KeyFactsRule { Id = "", Message = "" },
            _ => null,
        };
        if (rule is null)
        {
            return null;
        }

        var scope = RuleScope.All;
        if (map.TryGetValue("scope", out var scopeNode) && Mapping(scopeNode, path + ".scope", "scope", "channels", "fields") is { } s)
        {
            scope = new RuleScope(Strings(s, "channels", path + ".scope.channels"), Strings(s, "fields", path + ".scope.fields"));
        }
        return rule with
        {
            Id = OptionalString(map, "id", path + ".id") ?? "",
            Message = OptionalString(map, "message", path + ".message") ?? "",
            Severity = OptionalSeverity(map, path) ?? Severity.Warning,
            Scope = scope,
            Exceptions = Strings(map, "exceptions", path + ".exceptions"),
            IgnoreCase = map.TryGetValue("ignoreCase", out var ignoreCase) ? Bool(ignoreCase, path + ".ignoreCase") ?? true : true,
            IgnoreAccents = map.TryGetValue("ignoreAccents", out var ignoreAccents) ? Bool(ignoreAccents, path + ".ignoreAccents") ?? true : true,
        };
    }

    private OccurrenceRule ReadOccurrence(Dictionary<string, YamlNode> map, string path) => new()
    {
        Id = "",
        Message = "",
        Token = map.TryGetValue("token", out var token) ? Enum(token, path + ".token", "token", YamlNames.Tokens) ?? OccurrenceToken.Custom : OccurrenceToken.Custom,
        Match = Matcher(map, path),
        Max = map.TryGetValue("max", out var max) ? Int(max, path + ".max") : null,
        Min = map.TryGetValue("min", out var min) ? Int(min, path + ".min") : null,
    };

    private ConditionalRule ReadConditional(Dictionary<string, YamlNode> map, string path)
    {
        var condition = new RuleCondition(TextMatcher.None);
        if (map.TryGetValue("if", out var ifNode) && Mapping(ifNode, path + ".if", "condition", "tokens", "patterns", "sponsored") is { } i)
        {
            condition = new RuleCondition(Matcher(i, path + ".if"), i.TryGetValue("sponsored", out var sponsored) && (Bool(sponsored, path + ".if.sponsored") ?? false));
        }
        var then = TextMatcher.None;
        if (map.TryGetValue("then", out var thenNode) && Mapping(thenNode, path + ".then", "consequence", "tokens", "patterns") is { } t)
        {
            then = Matcher(t, path + ".then");
        }
        return new ConditionalRule { Id = "", Message = "", If = condition, Then = then };
    }

    private MetricRule ReadMetric(Dictionary<string, YamlNode> map, string path)
    {
        TextMetric? metric = null;
        if (map.TryGetValue("metric", out var metricNode))
        {
            metric = Enum(metricNode, path + ".metric", "metric", YamlNames.Metrics);
        }
        else
        {
            _diagnostics.Add(new(DiagnosticSeverity.Error, $"A metric rule needs `metric:` with one of {string.Join(", ", YamlNames.Metrics.Select(m => m.Name))}.", path, (int)MarkFor(path).Line, (int)MarkFor(path).Column));
        }
        return new MetricRule
        {
            Id = "",
            Message = "",
            Metric = metric ?? TextMetric.SentenceWords,
            Max = map.TryGetValue("max", out var max) ? Double(max, path + ".max") : null,
            Min = map.TryGetValue("min", out var min) ? Double(min, path + ".min") : null,
            MinWords = map.TryGetValue("minWords", out var minWords) ? Int(minWords, path + ".minWords") ?? 0 : 0,
        };
    }

    private TextMatcher Matcher(Dictionary<string, YamlNode> map, string path) =>
        new(Strings(map, "tokens", path + ".tokens"), Strings(map, "patterns", path + ".patterns"));

    private ValueList<Substitution> Swaps(Dictionary<string, YamlNode> map, string path)
    {
        if (!map.TryGetValue("swap", out var node))
        {
            return ValueList<Substitution>.Empty;
        }
        if (node is not YamlMappingNode swaps)
        {
            Error(node, $"`swap:` must be a mapping of `wrong: right` pairs, e.g. `signup: sign up`; found {Describe(node)}.");
            return ValueList<Substitution>.Empty;
        }
        var result = new List<Substitution>();
        var index = 0;
        foreach (var (key, value) in swaps.Children)
        {
            var itemPath = $"{path}.swap[{index++}]";
            _marks[itemPath] = key.Start;
            result.Add(new Substitution(String(key, itemPath) ?? "", String(value, itemPath) ?? ""));
        }
        return result;
    }

    // ----- primitives -----

    private Dictionary<string, YamlNode>? Mapping(YamlNode node, string path, string what, params string[] allowed)
    {
        _marks[path] = node.Start;
        if (node is not YamlMappingNode mapping)
        {
            if (!IsNull(node))
            {
                Error(node, $"Expected {what} as a mapping (`key: value` lines); found {Describe(node)}.");
            }
            return null;
        }
        var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                var suggestion = YamlNames.Closest(key, allowed);
                Error(keyNode, $"Unknown key '{key}' in {what}{(suggestion is null ? "" : $": did you mean '{suggestion}'?")} Allowed keys: {string.Join(", ", allowed)}.");
                continue;
            }
            _marks[path.Length == 0 ? key : path + "." + key] = value.Start;
            result[key] = value;
        }
        return result;
    }

    private List<T?> List<T>(YamlNode node, string path, Func<YamlNode, string, T?> readItem)
    {
        _marks[path] = node.Start;
        if (IsNull(node))
        {
            return [];
        }
        if (node is not YamlSequenceNode sequence)
        {
            Error(node, $"Expected a list (lines starting with `- `) for `{LastKey(path)}`; found {Describe(node)}.");
            return [];
        }
        var items = new List<T?>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            _marks[itemPath] = sequence.Children[i].Start;
            items.Add(readItem(sequence.Children[i], itemPath));
        }
        return items;
    }

    private ValueList<string> Strings(Dictionary<string, YamlNode> map, string key, string path)
    {
        if (!map.TryGetValue(key, out var node) || IsNull(node))
        {
            return ValueList<string>.Empty;
        }
        if (node is YamlScalarNode)
        {
            // A single word where a list was expected is read as a list of one.
            return String(node, path + "[0]") is { } single ? [single] : ValueList<string>.Empty;
        }
        return List(node, path, String).OfType<string>().ToValueList();
    }

    private string? OptionalString(Dictionary<string, YamlNode> map, string key, string path) =>
        map.TryGetValue(key, out var node) && !IsNull(node) ? String(node, path) : null;

    private string? String(YamlNode node, string path)
    {
        _marks[path] = node.Start;
        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? "";
        }
        Error(node, $"Expected text for `{LastKey(path)}`; found {Describe(node)}. Quote the value if it contains `: ` or starts with `[`, `{{` or `#`.");
        return null;
    }

    private Severity? OptionalSeverity(Dictionary<string, YamlNode> map, string path) =>
        map.TryGetValue("severity", out var node) ? Enum(node, path + ".severity", "severity", YamlNames.Severities) : null;

    private T? Enum<T>(YamlNode node, string path, string what, IReadOnlyList<(T Value, string Name)> names) where T : struct
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }
        foreach (var (value, name) in names)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        var suggestion = YamlNames.Closest(text, names.Select(n => n.Name));
        Error(node, $"Unknown {what} '{text}'{(suggestion is null ? "" : $": did you mean '{suggestion}'?")} Use one of {string.Join(", ", names.Select(n => n.Name))}.");
        return null;
    }

    private bool? Bool(YamlNode node, string path)
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }
        if (bool.TryParse(text, out var value))
        {
            return value;
        }
        Error(node, $"`{LastKey(path)}` must be true or false; found '{text}'.");
        return null;
    }

    private int? Int(YamlNode node, string path)
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        Error(node, $"`{LastKey(path)}` must be a whole number; found '{text}'.");
        return null;
    }

    private double? Double(YamlNode node, string path)
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }
        Error(node, $"`{LastKey(path)}` must be a number; found '{text}'.");
        return null;
    }

    private void Error(YamlNode node, string message) =>
        _diagnostics.Add(new(DiagnosticSeverity.Error, message, "", (int)node.Start.Line, (int)node.Start.Column));

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar => $"'{scalar.Value}'",
        _ => "something else",
    };

    private static string LastKey(string path)
    {
        var trimmed = path;
        while (trimmed.EndsWith(']'))
        {
            trimmed = trimmed[..trimmed.LastIndexOf('[')];
        }
        var dot = trimmed.LastIndexOf('.');
        return dot < 0 ? trimmed : trimmed[(dot + 1)..];
    }
}

/// <summary>A YAML parser that remembers where the last event it read ended, to place an error it cannot place itself.</summary>
internal sealed class PositionedParser(IParser inner) : IParser
{
    public Mark LastGood { get; private set; } = Mark.Empty;

    public YamlDotNet.Core.Events.ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (inner.Current is { } current)
            LastGood = current.End;
        return inner.MoveNext();
    }
}

