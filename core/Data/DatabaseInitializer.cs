using Microsoft.EntityFrameworkCore;

namespace Publisher.Core.Data;

public static class DatabaseInitializer
{
    /// <summary>Brings the schema up to date. Safe to call from several processes: migrations take a lock.</summary>
    public static Task MigrateAsync(PublisherDbContext db, CancellationToken cancellationToken = default) =>
        db.Database.MigrateAsync(cancellationToken);
}
