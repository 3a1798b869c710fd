using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Publisher.Media.Inspection;
using Publisher.Media.Processing;
using Publisher.Media.Storage;

namespace Publisher.Media;

public static class MediaServiceCollectionExtensions
{
    /// <summary>
    /// Media inspection, derivatives and the blob store chosen by <c>Media:Store</c>. The PostgreSQL store uses
    /// <paramref name="connectionString"/> (read when the store is first needed), the database the app already has.
    /// </summary>
    public static IServiceCollection AddMedia(this IServiceCollection services, Func<IServiceProvider, string> connectionString)
    {
        services.AddOptions<MediaOptions>().BindConfiguration(MediaOptions.SectionName)
            .Validate(o => o.Problem() is null, "The Media settings are not valid: see the error for which one.")
            .ValidateOnStart();
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<MediaOptions>>().Value;
            if (o.Problem() is { } problem)
                throw new OptionsValidationException(MediaOptions.SectionName, typeof(MediaOptions), [problem]);
            return new VideoTools(o.FfprobePath, o.FfmpegPath, o.ToolTimeout);
        });
        services.TryAddSingleton(sp => new MediaInspector(sp.GetRequiredService<IOptions<MediaOptions>>().Value, sp.GetRequiredService<VideoTools>()));
        services.TryAddSingleton<DerivativeMaker>();
        services.TryAddSingleton<IBlobStore>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<MediaOptions>>().Value;
            if (string.Equals(o.Store, "S3", StringComparison.OrdinalIgnoreCase))
                return new S3BlobStore(o.S3, o.TempPath);
            return new PostgresBlobStore(NpgsqlDataSource.Create(connectionString(sp)));
        });
        return services;
    }
}
