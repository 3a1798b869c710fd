using DiffPlex;

namespace Publisher.Web.Pages.Shared;

/// <summary>
/// The one word diff every diff view shows (a re-submission against what reviewers saw, a hand edit against
/// what the message renders to now). Words are compared, not spacing: line endings (CRLF, CR, LF) and runs of
/// spaces do not count as changes, so only words that really changed are marked. The pieces keep the newer
/// text's line breaks, so the diff reads as the post does.
/// </summary>
public static class TextDiff
{
    public enum Kind { Same, Added, Removed }

    /// <summary>A run of text and whether it is unchanged, added or removed. Separators between runs are plain <see cref="Kind.Same"/> pieces.</summary>
    public sealed record Piece(Kind Kind, string Text);

    /// <summary>A word and the spacing before it ("", " ", "\n" or "\n\n" after normalizing).</summary>
    private readonly record struct Token(string Space, string Word);

    public static IReadOnlyList<Piece> Words(string? before, string? after)
    {
        var old = Tokens(before);
        var fresh = Tokens(after);
        // DiffPlex compares the words alone; the spacing is put back from our own tokens, which are in the same order.
        var diff = Differ.Instance.CreateDiffs(Normalize(before), Normalize(after), ignoreWhiteSpace: false, ignoreCase: false, new WordChunker());
        var pieces = new List<Piece>();
        var a = 0;
        var b = 0;
        foreach (var block in diff.DiffBlocks)
        {
            for (; a < block.DeleteStartA; a++, b++)
                Add(pieces, Kind.Same, fresh[b]);
            Run(pieces, Kind.Removed, old, block.DeleteStartA, block.DeleteCountA, first: pieces.Count == 0);
            Run(pieces, Kind.Added, fresh, block.InsertStartB, block.InsertCountB, first: pieces.Count == 0);
            a = block.DeleteStartA + block.DeleteCountA;
            b = block.InsertStartB + block.InsertCountB;
        }
        for (; b < fresh.Count; b++)
            Add(pieces, Kind.Same, fresh[b]);
        return pieces;
    }

    /// <summary>Whether the pieces mark any word as added or removed.</summary>
    public static bool HasChanges(IReadOnlyList<Piece> pieces) => pieces.Any(p => p.Kind != Kind.Same);

    /// <summary>One kind of line ending, no trailing spaces on a line.</summary>
    public static string Normalize(string? text) =>
        string.Join('\n', (text ?? "").Replace("\r\n", "\n").Replace('\r', '\n').Split('\n').Select(line => line.TrimEnd()));

    // A run of removed or added words is one mark: the spacing before it stays outside, the spacing inside stays in.
    private static void Run(List<Piece> pieces, Kind kind, IReadOnlyList<Token> tokens, int start, int count, bool first)
    {
        if (count == 0)
            return;
        var space = first ? "" : tokens[start].Space is { Length: > 0 } s ? s : " ";
        if (space.Length > 0)
            Append(pieces, Kind.Same, space);
        var text = tokens[start].Word + string.Concat(tokens.Skip(start + 1).Take(count - 1).Select(t => t.Space + t.Word));
        pieces.Add(new Piece(kind, text));
    }

    private static void Add(List<Piece> pieces, Kind kind, Token token)
    {
        var space = pieces.Count == 0 ? "" : token.Space.Length > 0 ? token.Space : pieces[^1].Kind == Kind.Same ? "" : " ";
        Append(pieces, kind, space + token.Word);
    }

    // Neighbouring pieces of one kind merge, so the page gets a few long runs instead of a span per word.
    private static void Append(List<Piece> pieces, Kind kind, string text)
    {
        if (text.Length == 0)
            return;
        if (pieces.Count > 0 && pieces[^1].Kind == kind)
            pieces[^1] = new Piece(kind, pieces[^1].Text + text);
        else
            pieces.Add(new Piece(kind, text));
    }

    /// <summary>The words of a text, each with the spacing before it: a line break or paragraph break is kept (at most one blank line), other spacing becomes one space.</summary>
    private static List<Token> Tokens(string? text)
    {
        var tokens = new List<Token>();
        var normalized = Normalize(text);
        var i = 0;
        while (i < normalized.Length)
        {
            var spaceStart = i;
            while (i < normalized.Length && char.IsWhiteSpace(normalized[i]))
                i++;
            var breaks = normalized.AsSpan(spaceStart, i - spaceStart).Count('\n');
            var space = tokens.Count == 0 ? "" : breaks switch { 0 => i > spaceStart ? " " : "", 1 => "\n", _ => "\n\n" };
            var wordStart = i;
            while (i < normalized.Length && !char.IsWhiteSpace(normalized[i]))
                i++;
            if (i > wordStart)
                tokens.Add(new Token(space, normalized[wordStart..i]));
        }
        return tokens;
    }

    private sealed class WordChunker : IChunker
    {
        public IReadOnlyList<string> Chunk(string text) => Tokens(text).Select(t => t.Word).ToList();
    }
}
