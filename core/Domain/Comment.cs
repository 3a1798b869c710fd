namespace Publisher.Core.Domain;

public class Comment
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid VariantId { get; set; }
    public required string AuthorId { get; set; }
    public AppUser? Author { get; set; }
    public required string Body { get; set; }
    public DateTimeOffset At { get; set; }
}
