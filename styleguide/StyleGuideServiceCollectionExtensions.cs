using Microsoft.Extensions.DependencyInjection;

namespace Publisher.StyleGuide;

/// <summary>Registers the style guide services.</summary>
public static class StyleGuideServiceCollectionExtensions
{
    /// <summary>Adds the style guide linter.</summary>
    public static IServiceCollection AddStyleGuide(this IServiceCollection services) => services;
}
