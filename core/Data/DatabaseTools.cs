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
    /// against a connection string they already have. <paramref name="publicUrl"/> is where the app will be
    /// reached, so seeded blog variants link where the web app's own rendering would.
    /// </summary>
    public static IServiceCollection AddDatabaseTools(this IServiceCollection services, string connectionString, string? publicUrl = null) =>
        services
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddDbContext<PublisherDbContext>(o => o.UseNpgsql(connectionString))
            .AddPublisherIdentityStores()
            .AddTemplates()
            .AddStyleGuide()
            .AddScoped<VariantWorkflow>()
            .AddScoped(sp => new VariantComposer(sp.GetRequiredService<PublisherDbContext>(), sp.GetRequiredService<Templates.Rendering.VariantRenderer>(),
                sp.GetRequiredService<StyleGuideLinter>(), publicUrl))
            .AddScoped<Review.Notifier>()
            .AddScoped<Review.ApprovalService>()
            .AddScoped<Review.ReviewDeadlines>()
            .AddScoped<DemoSeeder>();
}
