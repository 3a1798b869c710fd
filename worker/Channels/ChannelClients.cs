using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels;

/// <summary>The registered channel clients, by kind; for a kind registered twice, the later registration.</summary>
public sealed class ChannelClients(IEnumerable<IChannelClient> clients)
{
    private readonly IReadOnlyDictionary<ChannelKind, IChannelClient> _byKind = clients.GroupBy(c => c.Kind).ToDictionary(g => g.Key, g => g.Last());

    public IReadOnlyCollection<ChannelKind> Kinds => _byKind.Keys.ToList();

    public bool TryGet(ChannelKind kind, out IChannelClient client) => _byKind.TryGetValue(kind, out client!);

    public IChannelClient For(ChannelKind kind) =>
        _byKind.TryGetValue(kind, out var client)
            ? client
            : throw new InvalidOperationException($"No channel client is registered for {kind}: call services.AddChannelClients() and register the {kind} client.");
}
