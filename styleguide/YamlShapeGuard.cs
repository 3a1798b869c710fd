namespace Publisher.StyleGuide;

/// <summary>
/// Looks at YAML text before the YAML parser does, and refuses what would make the parser fail badly
/// instead of with a message: nesting deeper than <see cref="MaxDepth"/> (YamlDotNet's scanner slows down
/// with the square of the depth and its tree builder recurses once per level, so 100,000 brackets in
/// 200 KB ran for minutes and then overflowed the stack, ending the process) and aliases (<c>*name</c>),
/// which let a small file stand for a huge one. It is one pass over the characters, linear in the length
/// and without recursion, that knows just enough YAML to see where collections open: indentation,
/// <c>- </c> and <c>? </c> entries, compact mappings, flow brackets, quoted scalars (which may span
/// lines), plain scalars that go on over several lines, comments, and block scalars (whose text it skips).
/// </summary>
/// <remarks>
/// Where it cannot be exact it counts more levels than the parser would, never fewer, so nothing deeper
/// than the limit reaches the parser; a style guide is about six levels deep.
/// </remarks>
internal sealed class YamlShapeGuard
{
    /// <summary>The deepest nesting of collections accepted.</summary>
    public const int MaxDepth = 64;

    private readonly string _text;

    // Block collections open at an indentation: (column, is a sequence).
    private readonly List<(int Column, bool Sequence)> _blocks = [];
    private int _flow;
    private char _quote;               // ' or " while inside a quoted scalar, which may span lines
    private bool _nodeStart = true;    // the next character may start a node (a quote, a bracket, an alias)
    private bool _afterJsonLikeNode;   // a quoted scalar or a flow collection just ended: ':' may follow without a space
    private bool _inPlainScalar;       // the last line ended inside a plain scalar, which a more indented line continues
    private int? _blockScalarOwner;    // inside a block scalar, whose text is indented more than this column (-1: the document is one)
    private int? _blockScalarIndent;   // the indentation of its text, once its first line is seen
    private int _line;
    private int _lineStart;
    private int _deepest;

    private YamlShapeGuard(string text) => _text = text;

    /// <summary>Where the text goes too deep or uses an alias, with what to do; null when it is fine to parse.</summary>
    public static StyleGuideDiagnostic? Check(string yaml) => new YamlShapeGuard(yaml).Run(stopAt: MaxDepth);

    /// <summary>The deepest nesting the scan counts (at least the parser's); for tests.</summary>
    internal static int MeasureDepth(string yaml)
    {
        var guard = new YamlShapeGuard(yaml);
        guard.Run(stopAt: int.MaxValue);
        return guard._deepest;
    }

    private StyleGuideDiagnostic? Run(int stopAt)
    {
        var start = 0;
        while (start <= _text.Length)
        {
            var end = _text.IndexOf('\n', start);
            if (end < 0) end = _text.Length;
            _line++;
            _lineStart = start;
            if (Line(start, end, stopAt) is { } problem) return problem;
            start = end + 1;
        }
        return null;
    }

    private StyleGuideDiagnostic? Line(int start, int end, int stopAt)
    {
        var indent = 0;
        while (start + indent < end && _text[start + indent] == ' ') indent++;
        var content = start + indent;
        if (indent == 0 && (At(content, "---") || At(content, "...")) && (content + 3 >= end || char.IsWhiteSpace(_text[content + 3])))
        {
            // A document marker in the first column ends whatever scalar was open; the parser stops at one
            // inside a flow collection, so the brackets still open stay counted.
            _quote = '\0';
            _blockScalarOwner = null;
            _blockScalarIndent = null;
            _inPlainScalar = false;
            _blocks.Clear();
            _nodeStart = true;
            return Scan(content + 3, end, indent, stopAt);
        }
        var blank = content >= end || _text[content] == '\r' || (_text[content] == '#' && _quote == 0);

        if (_blockScalarOwner is { } owner)
        {
            if (blank) return null;
            if (_blockScalarIndent is null && indent > owner) _blockScalarIndent = indent;
            if (indent >= _blockScalarIndent) return null;
            _blockScalarOwner = null;
            _blockScalarIndent = null;
        }

        if (_quote == 0 && _flow == 0)
        {
            if (blank) return null;
            var top = _blocks.Count > 0 ? _blocks[^1].Column : -1;
            if (_inPlainScalar && indent > top)
            {
                // The plain scalar of the line above goes on here: nothing on this line starts a node.
                _nodeStart = false;
                return Scan(content, end, indent, stopAt);
            }
            while (_blocks.Count > 0 && _blocks[^1].Column > indent) _blocks.RemoveAt(_blocks.Count - 1);
            var sequence = IsEntry(content, end, '-');
            if (_blocks.Count == 0 || _blocks[^1].Column < indent)
                _blocks.Add((indent, sequence));
            else if (sequence && !_blocks[^1].Sequence)
                _blocks.Add((indent, true)); // a sequence may sit at its parent key's indentation
            _nodeStart = true;
        }
        return Scan(content, end, indent, stopAt);
    }

    /// <summary>One line's characters: entries, keys, brackets, quotes, comments and block scalar headers.</summary>
    private StyleGuideDiagnostic? Scan(int i, int end, int indent, int stopAt)
    {
        var sawEntry = false;
        var sawKey = false;
        var mappingInEntry = false;
        var owner = indent;        // the column a block scalar on this line must be indented beyond
        var scalarStart = -1;      // the column where the last scalar on this line began (a key, once ':' follows)
        _inPlainScalar = false;
        while (i < end)
        {
            var c = _text[i];
            if (_quote != 0)
            {
                if (c == _quote)
                {
                    if (_quote == '\'' && i + 1 < end && _text[i + 1] == '\'')
                    {
                        i += 2;
                        continue;
                    }
                    _quote = '\0';
                    _nodeStart = false;
                    _afterJsonLikeNode = true;
                }
                else if (c == '\\' && _quote == '"')
                {
                    i++;
                }
                i++;
                continue;
            }
            if (c is ' ' or '\t' or '\r')
            {
                i++;
                continue;
            }
            if (c == '#' && (i == _lineStart || char.IsWhiteSpace(_text[i - 1])))
                break;

            if (_nodeStart)
            {
                if (_flow == 0 && (c == '-' || c == '?') && IsEntry(i, end, c))
                {
                    // "- - x" and "? x" open collections at their own column, which the lines below continue.
                    var column = i - _lineStart;
                    if (column > indent || c == '?') _blocks.Add((column, c == '-'));
                    sawEntry = true;
                    owner = column;
                    i += 2;
                    continue;
                }
                if (c is '[' or '{')
                {
                    if (Open(stopAt) is { } tooDeep) return tooDeep.At(_line, i - _lineStart + 1);
                    i++;
                    continue;
                }
                if (c is '\'' or '"')
                {
                    _quote = c;
                    scalarStart = i - _lineStart;
                    i++;
                    continue;
                }
                if (c == '*')
                    return Alias(i);
                if (_flow == 0 && c is '|' or '>')
                {
                    // Its text must be indented beyond the collection that holds it; a block scalar that is the
                    // document itself may start in the first column.
                    if (!sawEntry && !sawKey) owner = -1;
                    _blockScalarOwner = owner;
                    _blockScalarIndent = ExplicitIndentation(i + 1, end) is var n and > 0 ? Math.Max(owner, 0) + n : null;
                    return Deepest(stopAt, end);
                }
                if (c is '&' or '!')
                {
                    // An anchor or a tag comes before the node itself.
                    while (i < end && !char.IsWhiteSpace(_text[i])) i++;
                    continue;
                }
                _nodeStart = false;
                _afterJsonLikeNode = false;
                scalarStart = i - _lineStart;
            }

            switch (c)
            {
                case '[' or '{' when _flow > 0:
                    if (Open(stopAt) is { } tooDeep) return tooDeep.At(_line, i - _lineStart + 1);
                    break;
                case ']' or '}' when _flow > 0:
                    _flow--;
                    _nodeStart = false;
                    _afterJsonLikeNode = true;
                    break;
                case ',' when _flow > 0:
                    _nodeStart = true;
                    break;
                case ':' when i + 1 >= end || _text[i + 1] is ' ' or '\t' or '\r' || (_flow > 0 && (_afterJsonLikeNode || _text[i + 1] is ',' or '[' or ']' or '{' or '}')):
                    // A key ends and its value may start a node; after an entry, the key opens a mapping inside it.
                    if (_flow == 0 && sawEntry && !mappingInEntry)
                    {
                        // "- key: x" opens a mapping at the key's column inside the entry.
                        mappingInEntry = true;
                        if (scalarStart >= 0) owner = scalarStart;
                        _blocks.Add((owner, false));
                    }
                    sawKey |= _flow == 0;
                    _nodeStart = true;
                    break;
                default:
                    _afterJsonLikeNode = false;
                    break;
            }
            i++;
        }
        _inPlainScalar = _flow == 0 && _quote == '\0' && !_nodeStart && !_afterJsonLikeNode;
        return Deepest(stopAt, end);
    }

    private Problem? Open(int stopAt)
    {
        _flow++;
        _nodeStart = true;
        var depth = _blocks.Count + _flow;
        _deepest = Math.Max(_deepest, depth);
        return depth > stopAt ? new Problem() : null;
    }

    private StyleGuideDiagnostic? Deepest(int stopAt, int end)
    {
        var depth = _blocks.Count + _flow;
        _deepest = Math.Max(_deepest, depth);
        return depth > stopAt ? new Problem().At(_line, end - _lineStart + 1) : null;
    }

    private bool IsEntry(int i, int end, char indicator) =>
        _text[i] == indicator && (i + 1 >= end || _text[i + 1] is ' ' or '\t' or '\r');

    private int ExplicitIndentation(int i, int end)
    {
        for (; i < end && !char.IsWhiteSpace(_text[i]); i++)
        {
            if (_text[i] is >= '1' and <= '9') return _text[i] - '0';
        }
        return 0;
    }

    private bool At(int i, string what) => i + what.Length <= _text.Length && string.CompareOrdinal(_text, i, what, 0, what.Length) == 0;

    private StyleGuideDiagnostic Alias(int i) => new(DiagnosticSeverity.Error,
        "The YAML uses an alias (*name), which a style guide does not support: write the value out in full where it is used.",
        "", _line, i - _lineStart + 1);

    private readonly struct Problem
    {
        public StyleGuideDiagnostic At(int line, int column) => new(DiagnosticSeverity.Error,
            $"The YAML nests lists and mappings more than {MaxDepth} levels deep here; a style guide needs about six. " +
            "Check for brackets that are opened and never closed, or for text pasted from another file.",
            "", line, column);
    }
}
