using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Composition;
using Publisher.Core.Workflow;
using Publisher.StyleGuide;
using Publisher.Templates;

namespace Publisher.Core.Data;

public static class DatabaseTools
{
    /// <summary>
    /// What migrating and seeding need, without a web host: the run command and the tests use it
    /// against a connection string they already have.
    /// </summary>
    public static IServiceCollection AddDatabaseTools(this IServiceCollection services, string connectionString) =>
        services
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddDbContext<PublisherDbContext>(o => o.UseNpgsql(connectionString))
            .AddPublisherIdentityStores()
            .AddTemplates()
            .AddStyleGuide()
            .AddScoped<VariantWorkflow>()
            .AddScoped<VariantComposer>()
            .AddScoped<Review.Notifier>()
            .AddScoped<Review.ApprovalService>()
            .AddScoped<Review.ReviewDeadlines>()
            .AddScoped<DemoSeeder>();
}
