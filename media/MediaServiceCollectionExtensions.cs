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
        Processing.NativeHeap.LimitArenas();
        services.AddOptions<MediaOptions>().BindConfiguration(MediaOptions.SectionName).ValidateOnStart();
        // The problem itself is the message, so the start fails naming the setting to fix.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MediaOptions>, MediaOptionsValidation>());
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

/// <summary>Refuses <see cref="MediaOptions"/> with <see cref="MediaOptions.Problem"/>'s own words.</summary>
internal sealed class MediaOptionsValidation : IValidateOptions<MediaOptions>
{
    public ValidateOptionsResult Validate(string? name, MediaOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
