using Hangfire;
using Hangfire.PostgreSql;
using Publisher.Core.Publishing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Publisher.Core.Composition;
using Publisher.Core.Connect;
using Publisher.Core.Data;
using Publisher.Core.Networking;
using Publisher.StyleGuide;
using Publisher.Templates;
using Publisher.Core.Workflow;
using Publisher.Media;

namespace Publisher.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>The PostgreSQL schema of Hangfire's tables.</summary>
    public const string HangfireSchema = "hangfire";

    /// <summary>
    /// The database, the workflow rules and Hangfire's storage: everything the web app and the worker share.
    /// The connection string comes from PUBLISHER_DB, else from Database:ConnectionString.
    /// </summary>
    public static IServiceCollection AddCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.SectionName)
            .PostConfigure(o =>
            {
                var fromEnvironment = configuration["PUBLISHER_DB"];
                if (!string.IsNullOrWhiteSpace(fromEnvironment))
                    o.ConnectionString = fromEnvironment;
            })
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString),
                "No database is configured: set PUBLISHER_DB to a PostgreSQL connection string, or start Publisher with ./run.sh, which starts a private PostgreSQL for you.")
            .ValidateOnStart();

        services.AddDbContext<PublisherDbContext>((sp, options) => options
            .UseNpgsql(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString)
            .AddInterceptors(NulCharacterGuard.Instance));

        services.AddSingleton(TimeProvider.System);
        services.AddScoped<VariantWorkflow>();
        services.AddScoped(sp => new VariantComposer(sp.GetRequiredService<PublisherDbContext>(), sp.GetRequiredService<Publisher.Templates.Rendering.VariantRenderer>(),
            sp.GetRequiredService<StyleGuideLinter>(), sp.GetRequiredService<IOptions<Publishing.PublishingOptions>>().Value.PublicUrl,
            sp.GetRequiredService<Media.ChannelMediaRulesSource>()));
        services.AddMedia(sp => sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString!);
        services.AddHttpClient(Media.ChannelMediaRulesSource.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<Media.ChannelMediaRulesSource>();
        services.AddScoped<Media.MediaLibrary>();
        services.AddSingleton<Media.LinkCardSnapshots>();
        services.AddScoped<Review.Notifier>();
        services.AddScoped<Review.ApprovalService>();
        services.AddScoped<Review.ReviewDeadlines>();
        services.AddOptions<Email.EmailOptions>().BindConfiguration(Email.EmailOptions.SectionName)
            .Validate(o => Enum.TryParse<MailKit.Security.SecureSocketOptions>(o.Security, true, out _), "Email:Security must be None, StartTls, StartTlsWhenAvailable or SslOnConnect.")
            .ValidateOnStart();
        services.AddScoped<Email.NotificationMailer>();
        services.AddScoped<StyleGuideRecheck>();
        services.AddScoped<TemplateChanges>();
        services.AddScoped<StyleGuideVersions>();
        services.AddTemplates();
        services.AddStyleGuide();

        services.AddOptions<Publishing.PublishingOptions>().BindConfiguration(Publishing.PublishingOptions.SectionName)
            .PostConfigure(o =>
            {
                if (configuration["PUBLISHER_URL"] is { Length: > 0 } url)
                    o.PublicUrl = url;
                o.PublicUrl = o.PublicUrl.TrimEnd('/');
            })
            .Validate(o => Uri.TryCreate(o.PublicUrl, UriKind.Absolute, out _), "PUBLISHER_URL (Publishing:PublicUrl) must be an absolute http(s) address.")
            .Validate(o => o.MaxAttempts >= 1 && o.GraceWindow >= TimeSpan.Zero && o.RequestTimeout > TimeSpan.Zero, "Publishing: MaxAttempts must be at least 1, GraceWindow not negative and RequestTimeout positive.")
            .Validate(o => o.HeartbeatInterval > TimeSpan.Zero && o.WorkerDeadAfter >= o.HeartbeatInterval * 3,
                "Publishing: HeartbeatInterval must be positive and WorkerDeadAfter at least three heartbeats, so one late beat does not make a worker look dead.")
            .ValidateOnStart();
        // Every connection to a server an admin named (channel APIs, webhooks, SMTP) is checked against this.
        services.AddOptions<Networking.OutboundNetworkOptions>().BindConfiguration(Networking.OutboundNetworkOptions.SectionName);
        services.AddOutboundNetworkGuard();
        // Link cards: the editor's preview (web) and Bluesky's embed (worker) read pages the same way.
        services.AddLinkCardReader();
        services.AddScoped<Publishing.PublishScheduler>();
        services.AddSingleton<Publishing.ChannelCredentials>();
        services.AddConnect();

        // Data Protection keys live in PostgreSQL, wrapped by the master key when one is configured, so a
        // database copy alone cannot decrypt channel credentials; one key ring for every process.
        services.AddPublisherDataProtection(configuration);

        services.AddHangfire((sp, hangfire) => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(pg => pg.UseNpgsqlConnection(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString),
                new PostgreSqlStorageOptions
                {
                    SchemaName = HangfireSchema,
                    PrepareSchemaIfNecessary = true,
                    // A publish job that dies mid-call is reclaimed after this long, not the 30-minute default.
                    InvisibilityTimeout = TimeSpan.FromMinutes(5),
                    DistributedLockTimeout = TimeSpan.FromSeconds(30),
                    // How often an idle worker asks for the next job. Not long polling (LISTEN/NOTIFY): its
                    // listener does not come back after a database restart, which would strand queued jobs.
                    QueuePollInterval = configuration.GetValue("Hangfire:QueuePollInterval", TimeSpan.FromMilliseconds(500)),
                }));
        return services;
    }
}
