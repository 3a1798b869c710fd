namespace Publisher.Templates.Rendering;

/// <summary>The address-safe form of a title that the blog template's article_url uses.</summary>
public static class Slugs
{
    /// <summary>Lower case, ASCII letters and digits joined by hyphens.</summary>
    public static string FromTitle(string title) => TemplateModel.Slug(title);
}
