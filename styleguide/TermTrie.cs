namespace Publisher.StyleGuide;

/// <summary>A term found by the trie: which term list (slot), which term, and where in the folded text.</summary>
internal readonly record struct RawHit(int Slot, int Term, int FoldedStart, int FoldedEnd);

/// <summary>
/// One character trie over every term of every rule that shares a fold mode, so a field is
/// scanned once for hundreds of terms: at each word start, walk the trie as far as the text
/// allows and report each term that ends on a word boundary.
/// </summary>
internal sealed class TermTrie
{
    private sealed class Node
    {
        public Dictionary<char, Node>? Children;
        public List<(int Slot, int Term)>? Terminals;
        public bool EndsWithWordChar;
    }

    private readonly Node _root = new();

    public int TermCount { get; private set; }

    // foldedTerm must already be folded with the trie's mode.
    public void Add(string foldedTerm, int slot, int term)
    {
        if (foldedTerm.Length == 0)
        {
            return;
        }
        var node = _root;
        foreach (var c in foldedTerm)
        {
            node.Children ??= [];
            if (!node.Children.TryGetValue(c, out var next))
            {
                next = new Node();
                node.Children[c] = next;
            }
            node = next;
        }
        node.EndsWithWordChar = TextFolding.IsWordChar(foldedTerm[^1]);
        node.Terminals ??= [];
        node.Terminals.Add((slot, term));
        TermCount++;
    }

    /// <summary>Adds every occurrence in <paramref name="text"/> of a term whose slot is active.</summary>
    public void Scan(string text, bool[] activeSlots, List<RawHit> hits)
    {
        var rootChildren = _root.Children;
        if (rootChildren is null)
        {
            return;
        }
        var previousIsWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var isWord = TextFolding.IsWordChar(c);
            // A term starting with a letter may only start a word: no "class" inside "subclass".
            var mayStart = !(isWord && previousIsWord);
            previousIsWord = isWord;
            if (!mayStart || !rootChildren.TryGetValue(c, out var node))
            {
                continue;
            }
            var j = i;
            while (true)
            {
                if (node.Terminals is { } terminals)
                {
                    var end = j + 1;
                    // ...and end a word: no "class" inside "classic".
                    if (!node.EndsWithWordChar || end == text.Length || !TextFolding.IsWordChar(text[end]))
                    {
                        foreach (var (slot, term) in terminals)
                        {
                            if (activeSlots[slot])
                            {
                                hits.Add(new RawHit(slot, term, i, end));
                            }
                        }
                    }
                }
                j++;
                if (j == text.Length || node.Children is null || !node.Children.TryGetValue(text[j], out node))
                {
                    break;
                }
            }
        }
    }
}
