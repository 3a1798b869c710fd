using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Publisher.Templates.Markdown;
using Publisher.Templates.Rendering;

namespace Publisher.Templates;

/// <summary>Registers the rendering services.</summary>
public static class TemplatesServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="VariantRenderer"/> (render a message into channel variants, validate templates)
    /// and what it uses: the parsed-template cache, the Razor layouts, the Markdown converter and the
    /// default <see cref="RenderLimits"/> (register your own <see cref="RenderLimits"/> first to change them).
    /// All are singletons and thread-safe.
    /// </summary>
    public static IServiceCollection AddTemplates(this IServiceCollection services)
    {
        services.TryAddSingleton(RenderLimits.Default);
        services.TryAddSingleton<TemplateCache>();
        services.TryAddSingleton<LayoutRenderer>();
        services.TryAddSingleton<MarkdownConverter>();
        services.TryAddSingleton(sp => new VariantRenderer(
            sp.GetRequiredService<TemplateCache>(),
            sp.GetRequiredService<LayoutRenderer>(),
            sp.GetRequiredService<RenderLimits>(),
            sp.GetService<TimeProvider>()));
        return services;
    }
}
