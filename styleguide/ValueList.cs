using System.Collections;
using System.Runtime.CompilerServices;

namespace Publisher.StyleGuide;

/// <summary>
/// An immutable list that compares by its items, so that records holding lists (the whole
/// style guide model) compare by value and a YAML round trip can be checked with <c>==</c>.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
[CollectionBuilder(typeof(ValueList), nameof(ValueList.Create))]
public sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    private readonly T[] _items;

    /// <summary>The empty list.</summary>
    public static ValueList<T> Empty { get; } = new([]);

    /// <summary>Creates a list holding a copy of <paramref name="items"/>.</summary>
    /// <param name="items">The items, in order.</param>
    public ValueList(IEnumerable<T> items) => _items = items.ToArray();

    /// <inheritdoc />
    public T this[int index] => _items[index];

    /// <inheritdoc />
    public int Count => _items.Length;

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc />
    public bool Equals(ValueList<T>? other) =>
        other is not null && (ReferenceEquals(this, other) || _items.AsSpan().SequenceEqual(other._items, EqualityComparer<T>.Default));

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ValueList<T> other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items)
        {
            hash.Add(item);
        }
        return hash.ToHashCode();
    }

    /// <summary>Lists the items, for debugging.</summary>
    public override string ToString() => "[" + string.Join(", ", _items) + "]";

    /// <summary>Wraps an array or list literal: <c>ValueList&lt;string&gt; terms = new[] { "a" };</c>.</summary>
    /// <param name="items">The items.</param>
    public static implicit operator ValueList<T>(T[] items) => new(items);

    /// <summary>Wraps a list.</summary>
    /// <param name="items">The items.</param>
    public static implicit operator ValueList<T>(List<T> items) => new(items);
}

/// <summary>Creates <see cref="ValueList{T}"/> instances.</summary>
public static class ValueList
{
    /// <summary>A list of the given items.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The items, in order.</param>
    public static ValueList<T> Of<T>(params T[] items) => new(items);

    /// <summary>A list of the given items; lets collection expressions (<c>["a", "b"]</c>) build a <see cref="ValueList{T}"/>.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The items, in order.</param>
    public static ValueList<T> Create<T>(ReadOnlySpan<T> items) => items.IsEmpty ? ValueList<T>.Empty : new(items.ToArray());

    /// <summary>A list of the given items.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The items, in order.</param>
    public static ValueList<T> ToValueList<T>(this IEnumerable<T> items) => new(items);
}
