using Microsoft.Extensions.Options;
using Publisher.Core.Publishing;
using Publisher.Templates.Channels;
using Publisher.Worker.Channels;

namespace Publisher.Worker.Publishing;

/// <summary>
/// The built-in demo destination for accounts marked demo: nothing leaves the machine, and the post's
/// address is the variant's own page, so the demo shows the whole path to Published.
/// </summary>
public sealed class DemoChannelClient(IOptions<PublishingOptions> options) : IChannelClient
{
    public ChannelKind Kind => ChannelKind.X; // not looked up by kind: the resolver picks it for demo accounts

    public async Task<PublishResult> PublishAsync(PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken)
    {
        var ids = new List<string>(request.PostedPartIds);
        foreach (var _ in request.Parts.Skip(request.PostedPartIds.Count))
        {
            var id = $"demo-{Guid.CreateVersion7():N}";
            await progress.PartPostedAsync(id, cancellationToken);
            ids.Add(id);
        }
        return PublishResult.Published(ids[0], $"{options.Value.PublicUrl}/Variants/{request.VariantId}");
    }

    public Task<ReconcileResult> ReconcileAsync(PublishRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new ReconcileResult(ReconcileVerdict.SafeToRetry));

    public Task<ConnectionCheck> TestConnectionAsync(ChannelConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult(new ConnectionCheck(true, "This is a demo account: it publishes to the built-in demo destination, not a real network."));
}
