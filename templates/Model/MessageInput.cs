namespace Publisher.Templates.Model;

/// <summary>The message as the marketer wrote it once; every channel variant is rendered from it.</summary>
public sealed record MessageInput
{
    /// <summary>Headline of the message (email subject and blog title by default).</summary>
    public string Title { get; init; } = "";
    /// <summary>Body in Markdown. Raw HTML in it is shown as text, never passed through.</summary>
    public string BodyMarkdown { get; init; } = "";
    /// <summary>One or two sentences that stand for the whole message (LinkedIn intro, email preheader, feed summary).</summary>
    public string? Summary { get; init; }
    /// <summary>The link the message points to (absolute http or https); tagged with UTM parameters per channel.</summary>
    public string? Link { get; init; }
    /// <summary>What the reader should do ("Read the guide").</summary>
    public string? CallToAction { get; init; }
    /// <summary>Hashtags, with or without the leading <c>#</c>.</summary>
    public IReadOnlyList<string> Hashtags { get; init; } = [];
    /// <summary>Facts that every variant must carry (the style guide checks them).</summary>
    public IReadOnlyList<string> KeyFacts { get; init; } = [];
    /// <summary>Name of the person the message is from.</summary>
    public string? Author { get; init; }
    /// <summary>When the message is meant to go out (used for the blog date and feed entry).</summary>
    public DateTimeOffset? PublishAt { get; init; }
    /// <summary>Stable id of the message (used for the feed entry id).</summary>
    public string? Id { get; init; }
}

/// <summary>The campaign a message belongs to.</summary>
/// <param name="Name">Display name ("Spring launch 2026").</param>
/// <param name="Slug">Identifier used as <c>utm_campaign</c> ("spring-launch-2026"); derived from the name when empty.</param>
public sealed record CampaignInput(string Name, string? Slug = null);

/// <summary>The brand's identity as templates and the email layout use it.</summary>
public sealed record BrandInput
{
    /// <summary>The brand's name as it must be written.</summary>
    public string Name { get; init; } = "";
    /// <summary>Text shown as the logo in the email header (defaults to <see cref="Name"/>).</summary>
    public string? LogoText { get; init; }
    /// <summary>The brand's website.</summary>
    public string? WebsiteUrl { get; init; }
    /// <summary>The blog's base address, used for article and feed links.</summary>
    public string? BlogUrl { get; init; }
    /// <summary>Where the app serves its own media, <c>{public address}/media/</c>: images from there may always be shown.</summary>
    public string? MediaBaseUrl { get; init; }
    /// <summary>Hosts (like <c>cdn.northwind.example</c>) whose https images the email and blog may show, from the style guide's <c>identity.imageHosts</c>.</summary>
    public IReadOnlyList<string> ImageHosts { get; init; } = [];
    /// <summary>Primary colour (<c>#rrggbb</c>), for the header and buttons.</summary>
    public string PrimaryColor { get; init; } = "#1f3a5f";
    /// <summary>Accent colour (<c>#rrggbb</c>), for links.</summary>
    public string AccentColor { get; init; } = "#d9480f";
    /// <summary>Page background colour (<c>#rrggbb</c>).</summary>
    public string BackgroundColor { get; init; } = "#f4f5f7";
    /// <summary>Body text colour (<c>#rrggbb</c>).</summary>
    public string TextColor { get; init; } = "#1b1f24";
    /// <summary>CSS font stack for body text.</summary>
    public string FontFamily { get; init; } = "Helvetica, Arial, sans-serif";
    /// <summary>CSS font stack for headings.</summary>
    public string HeadingFontFamily { get; init; } = "Georgia, 'Times New Roman', serif";
    /// <summary>Footer line of emails (who sends it and why the reader gets it).</summary>
    public string? FooterText { get; init; }
    /// <summary>Postal address required in commercial email.</summary>
    public string? PostalAddress { get; init; }
}
