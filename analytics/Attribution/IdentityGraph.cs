namespace Publisher.Analytics.Attribution;

/// <summary>
/// Joins the ways one person is known into one person id: click ids (<c>pcid</c>), <c>/t.js</c> visitor ids and
/// e-mail hashes. Every event that carries several of them (a visit that landed with a click id, a contact with a
/// visitor id and an e-mail hash) links them; a link between two people already known merges them into the older
/// one. Keys are strings such as <c>c:{click id}</c>, <c>v:{visitor id}</c>, <c>e:{sha256}</c>.
/// </summary>
public sealed class IdentityGraph
{
    private readonly Dictionary<string, Guid> _personOfKey = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, Guid> _parent = [];
    private readonly HashSet<Guid> _known = [];
    private readonly Func<Guid> _newPerson;

    /// <summary>Starts from the people already known for some keys.</summary>
    /// <param name="known">Key → person, as stored.</param>
    /// <param name="newPerson">Makes the id of a person seen for the first time (default: a version-7 UUID, so older people sort first).</param>
    public IdentityGraph(IEnumerable<KeyValuePair<string, Guid>> known, Func<Guid>? newPerson = null)
    {
        _newPerson = newPerson ?? Guid.CreateVersion7;
        foreach (var (key, person) in known)
        {
            _personOfKey[key] = person;
            _known.Add(person);
            _parent.TryAdd(person, person);
        }
    }

    /// <summary>Records that <paramref name="keys"/> belong to one person. Returns that person.</summary>
    public Guid Link(IEnumerable<string> keys)
    {
        Guid? root = null;
        var unknown = new List<string>();
        foreach (var key in keys)
        {
            if (!_personOfKey.TryGetValue(key, out var person))
            {
                unknown.Add(key);
                continue;
            }
            var found = Find(person);
            root = root is { } r ? Union(r, found) : found;
        }
        if (root is null)
        {
            var person = _newPerson();
            _parent[person] = person;
            root = person;
        }
        foreach (var key in unknown)
            _personOfKey[key] = root.Value;
        return Find(root.Value);
    }

    /// <summary>The person of <paramref name="key"/>, or null when the key was never seen.</summary>
    public Guid? PersonOf(string key) => _personOfKey.TryGetValue(key, out var person) ? Find(person) : null;

    /// <summary>Every key seen and its person now (what must be stored).</summary>
    public IReadOnlyDictionary<string, Guid> Keys => _personOfKey.ToDictionary(p => p.Key, p => Find(p.Value), StringComparer.Ordinal);

    /// <summary>People known before who were merged into another one: each stored key of the first now belongs to the second.</summary>
    public IReadOnlyList<(Guid From, Guid Into)> Merges =>
        _known.Select(p => (From: p, Into: Find(p))).Where(m => m.From != m.Into).OrderBy(m => m.From).ToList();

    private Guid Find(Guid person)
    {
        var root = person;
        while (_parent[root] != root)
            root = _parent[root];
        while (_parent[person] != root)
            (person, _parent[person]) = (_parent[person], root);
        return root;
    }

    // The older (smaller version-7) id survives, so a merge moves the newer person's keys and not the other way round.
    private Guid Union(Guid a, Guid b)
    {
        if (a == b)
            return a;
        var (keep, drop) = Older(a, b) ? (a, b) : (b, a);
        _parent[drop] = keep;
        return keep;
    }

    private bool Older(Guid a, Guid b) =>
        _known.Contains(a) != _known.Contains(b) ? _known.Contains(a) : a.CompareTo(b) < 0;
}
