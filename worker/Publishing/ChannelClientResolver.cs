using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Worker.Channels;

namespace Publisher.Worker.Publishing;

/// <summary>
/// Picks the client for an account: the blog is always local, a demo account goes to the built-in demo
/// destination, and every other account to its network's client.
/// </summary>
public sealed class ChannelClientResolver(ChannelClients clients, BlogChannelClient blog, DemoChannelClient demo)
{
    public IChannelClient For(ChannelAccount account)
    {
        if (account.Kind == nameof(ChannelKind.Blog))
            return blog;
        if (account.IsDemo)
            return demo;
        return Enum.TryParse<ChannelKind>(account.Kind, out var kind)
            ? clients.For(kind)
            : throw new InvalidOperationException($"No channel client is registered for {account.Kind}.");
    }
}
