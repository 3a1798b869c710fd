using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels;

/// <summary>The registered channel clients, by kind.</summary>
public sealed class ChannelClients(IEnumerable<IChannelClient> clients)
{
    private readonly IReadOnlyDictionary<ChannelKind, IChannelClient> _byKind = clients.ToDictionary(c => c.Kind);

    public IReadOnlyCollection<ChannelKind> Kinds => _byKind.Keys.ToList();

    public bool TryGet(ChannelKind kind, out IChannelClient client) => _byKind.TryGetValue(kind, out client!);

    public IChannelClient For(ChannelKind kind) =>
        _byKind.TryGetValue(kind, out var client)
            ? client
            : throw new InvalidOperationException($"No channel client is registered for {kind}: call services.AddChannelClients() and register the {kind} client.");
}
