using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Publisher.StyleGuide;

/// <summary>Registers the style guide services.</summary>
public static class StyleGuideServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="StyleGuideLinter"/> as a singleton (it caches compiled guides). YAML
    /// reading and writing (<see cref="StyleGuideYaml"/>) and the default guide
    /// (<see cref="DefaultStyleGuide"/>) are static and need no registration.
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddStyleGuide(this IServiceCollection services)
    {
        services.TryAddSingleton<StyleGuideLinter>();
        return services;
    }
}
