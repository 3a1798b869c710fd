namespace Publisher.Analytics.Events;

/// <summary>What a visitor did that the dashboard counts and attribution credits to channels.</summary>
public enum ConversionKind : short
{
    /// <summary>A visit to the brand's site (a new session after 30 minutes idle).</summary>
    Session = 0,
    /// <summary>A contact, or lead: a form filled in, a sign-up.</summary>
    Contact = 1,
    /// <summary>A contact the brand judged worth pursuing.</summary>
    Qualified = 2,
    /// <summary>A sale, with its value.</summary>
    Sale = 3,
}

/// <summary>The names conversions have in the API and in <c>/t.js</c>.</summary>
public static class ConversionKinds
{
    /// <summary>The kinds a site or a server may report (sessions are recorded by <c>/t.js</c> itself).</summary>
    public static readonly IReadOnlyList<ConversionKind> Reportable = [ConversionKind.Contact, ConversionKind.Qualified, ConversionKind.Sale];

    /// <summary>The API name of <paramref name="kind"/>: session, contact, qualified, sale.</summary>
    public static string Name(ConversionKind kind) => kind switch
    {
        ConversionKind.Contact => "contact",
        ConversionKind.Qualified => "qualified",
        ConversionKind.Sale => "sale",
        _ => "session",
    };

    /// <summary>Reads a reportable kind by its API name (exact, lower case).</summary>
    public static bool TryParseReportable(string? name, out ConversionKind kind)
    {
        kind = name switch
        {
            "contact" => ConversionKind.Contact,
            "qualified" => ConversionKind.Qualified,
            "sale" => ConversionKind.Sale,
            _ => ConversionKind.Session,
        };
        return kind != ConversionKind.Session;
    }
}
