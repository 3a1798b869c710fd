using Publisher.Templates.Rendering;

namespace Publisher.Web.Api;

/// <summary>
/// Compiles the Razor email and blog layouts and parses the default templates before the app takes
/// requests: a cold compile takes seconds, and the first marketer to type should not wait for it.
/// </summary>
public sealed class RendererWarmUp(VariantRenderer renderer, ILogger<RendererWarmUp> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        await Task.Run(renderer.WarmUp, cancellationToken);
        logger.LogInformation("Channel templates ready in {Elapsed}", TimeProvider.System.GetElapsedTime(started));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
