using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Publisher.Core.Data;

/// <summary>Lets `dotnet ef migrations add` build the model without a running app or database.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<PublisherDbContext>
{
    public PublisherDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PublisherDbContext>()
            .UseNpgsql("Host=127.0.0.1;Database=design_time_only")
            .Options);
}
