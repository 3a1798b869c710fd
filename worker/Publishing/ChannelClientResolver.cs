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

/// <summary>Where each network's API is unless the account says otherwise.</summary>
public static class ChannelDefaults
{
    public static Uri? BaseAddress(ChannelKind kind) => kind switch
    {
        ChannelKind.X => new Uri("https://api.x.com"),
        ChannelKind.Mastodon => new Uri("https://mastodon.social"),
        ChannelKind.Bluesky => new Uri("https://bsky.social"),
        ChannelKind.LinkedIn => new Uri("https://api.linkedin.com"),
        ChannelKind.FacebookPage => new Uri("https://graph.facebook.com"),
        // Email reads its SMTP server from the account's settings; the blog is this app.
        ChannelKind.Email or ChannelKind.Blog => new Uri("http://localhost"),
        _ => null, // a webhook has no default: its address is the account's
    };
}
