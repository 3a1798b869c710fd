namespace Publisher.Core.Review;

/// <summary>
/// How sentences name a channel account. Account names are the brand's own words and some carry their article
/// ("The Northwind Letter"), so "the {name}" would read "the The Northwind Letter": every sentence about an
/// account or one of its variants goes through here instead of putting "the" in front by itself.
/// </summary>
public static class AccountWording
{
    /// <summary>"the Northwind on X", or "The Northwind Letter" as it is when the name has its own article.</summary>
    public static string The(string? accountName)
    {
        var name = string.IsNullOrWhiteSpace(accountName) ? "channel" : accountName.Trim();
        return HasArticle(name) ? name : "the " + name;
    }

    /// <summary>The same at the start of a sentence: "The Northwind on X", "The Northwind Letter".</summary>
    public static string TheCapitalized(string? accountName) => Capitalize(The(accountName));

    /// <summary>"the Northwind on X variant of “Title”", for the middle of a sentence.</summary>
    public static string VariantOf(string? accountName, string? title) => $"{The(accountName)} variant of “{title}”";

    /// <summary>The same at the start of a sentence: "The Northwind on X variant of “Title”".</summary>
    public static string VariantOfCapitalized(string? accountName, string? title) => Capitalize(VariantOf(accountName, title));

    /// <summary>"Your Northwind on X variant", without "Your The …" for a name with its own article.</summary>
    public static string Your(string? accountName)
    {
        var name = string.IsNullOrWhiteSpace(accountName) ? "channel" : accountName.Trim();
        return "Your " + (HasArticle(name) ? name[(name.IndexOf(' ') + 1)..] : name);
    }

    public static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static bool HasArticle(string name) =>
        name.StartsWith("the ", StringComparison.OrdinalIgnoreCase) || name.StartsWith("a ", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("an ", StringComparison.OrdinalIgnoreCase);
}
