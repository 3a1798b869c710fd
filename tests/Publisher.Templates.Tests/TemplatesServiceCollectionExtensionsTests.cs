using Microsoft.Extensions.DependencyInjection;
using Publisher.Templates.Rendering;

namespace Publisher.Templates.Tests;

public class TemplatesServiceCollectionExtensionsTests
{
    [Fact]
    public void AddTemplates_registers_the_renderer_and_its_parts_as_singletons()
    {
        var services = new ServiceCollection().AddTemplates();
        foreach (var type in new[] { typeof(VariantRenderer), typeof(TemplateCache), typeof(LayoutRenderer), typeof(RenderLimits) })
        {
            var descriptor = Assert.Single(services, d => d.ServiceType == type);
            Assert.Equal(ServiceLifetime.Singleton, descriptor.Lifetime);
        }
    }
}
