using DiffPlex;
using DiffPlex.Chunkers;

namespace Publisher.Web.Pages.Shared;

/// <summary>A word-level diff between two versions of a variant's text, for reviewers and authors.</summary>
public static class TextDiff
{
    public enum Kind { Same, Added, Removed }

    public sealed record Piece(Kind Kind, string Text);

    public static IReadOnlyList<Piece> Words(string before, string after)
    {
        var diff = Differ.Instance.CreateDiffs(before, after, ignoreWhiteSpace: false, ignoreCase: false, new DelimiterChunker([' ', '\n']));
        var pieces = new List<Piece>();
        var position = 0;
        foreach (var block in diff.DiffBlocks)
        {
            for (; position < block.DeleteStartA; position++)
                pieces.Add(new Piece(Kind.Same, diff.PiecesOld[position]));
            for (var i = 0; i < block.DeleteCountA; i++)
                pieces.Add(new Piece(Kind.Removed, diff.PiecesOld[block.DeleteStartA + i]));
            for (var i = 0; i < block.InsertCountB; i++)
                pieces.Add(new Piece(Kind.Added, diff.PiecesNew[block.InsertStartB + i]));
            position = block.DeleteStartA + block.DeleteCountA;
        }
        for (; position < diff.PiecesOld.Count; position++)
            pieces.Add(new Piece(Kind.Same, diff.PiecesOld[position]));
        return pieces;
    }
}
