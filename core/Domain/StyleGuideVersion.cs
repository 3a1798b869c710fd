namespace Publisher.Core.Domain;

/// <summary>
/// One saved version of the brand's style guide, as its canonical YAML. The current guide is the highest
/// number; versions are never changed or deleted.
/// </summary>
public class StyleGuideVersion
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public int Number { get; set; }
    public required string Yaml { get; set; }

    /// <summary>The guide's content hash (<c>sha256:…</c>), recorded on every check made with it.</summary>
    public required string VersionHash { get; set; }
    public string? CreatedById { get; set; }
    public required string CreatedByName { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? Note { get; set; }
}
