namespace Publisher.Analytics.Links;

/// <summary>
/// Click ids, the <c>pcid</c> parameter the redirect adds to the destination: a version-7 UUID (time-ordered, so
/// rows written in order stay in order) written as 22 URL-safe base-64 characters. The brand's site keeps it
/// (<c>/t.js</c> does so by itself) and sends it back with contacts and sales.
/// </summary>
public static class ClickIds
{
    /// <summary>The query parameter that carries the click id.</summary>
    public const string Parameter = "pcid";

    /// <summary>A new click id.</summary>
    public static Guid New() => Guid.CreateVersion7();

    /// <summary>The 22-character form of <paramref name="id"/>.</summary>
    public static string Format(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Reads a click id in its 22-character form, or as a UUID (with or without dashes); false for anything else.</summary>
    public static bool TryParse(string? text, out Guid id)
    {
        id = Guid.Empty;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        text = text.Trim();
        if (text.Length == 22)
        {
            Span<byte> bytes = stackalloc byte[16];
            var base64 = text.Replace('-', '+').Replace('_', '/') + "==";
            if (!Convert.TryFromBase64String(base64, bytes, out var written) || written != 16)
                return false;
            id = new Guid(bytes, bigEndian: true);
            return true;
        }
        return (text.Length is 32 or 36) && Guid.TryParse(text, out id);
    }

    /// <summary>
    /// <paramref name="destination"/> with <c>pcid=<paramref name="clickId"/></c> added to its query, before any fragment;
    /// a <c>pcid</c> the destination already has is replaced, so a visitor never carries two.
    /// </summary>
    public static string AddTo(string destination, string clickId)
    {
        var hash = destination.IndexOf('#');
        var fragment = hash >= 0 ? destination[hash..] : "";
        var beforeFragment = hash >= 0 ? destination[..hash] : destination;
        var query = beforeFragment.IndexOf('?');
        if (query >= 0)
        {
            var kept = beforeFragment[(query + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Where(p => !p.StartsWith(Parameter + "=", StringComparison.OrdinalIgnoreCase) && !p.Equals(Parameter, StringComparison.OrdinalIgnoreCase));
            var rest = string.Join('&', kept);
            beforeFragment = beforeFragment[..query] + (rest.Length == 0 ? "?" : "?" + rest + "&");
        }
        else
        {
            beforeFragment += "?";
        }
        return beforeFragment + Parameter + "=" + clickId + fragment;
    }
}
