using Publisher.StyleGuide;
using Publisher.Templates.Channels;
using Publisher.Templates.Model;

namespace Publisher.Core.Composition;

/// <summary>
/// What rendering and checking a message needs beyond the message itself, loaded once per request: the
/// brand, the current template of each channel kind and the current style guide, compiled.
/// </summary>
/// <param name="Links">How tracked links are made, or null when they cannot be (no public address or key).</param>
public sealed record CompositionContext(
    BrandInput Brand,
    IReadOnlyDictionary<ChannelKind, string> Templates,
    BrandStyleGuide Guide,
    CompiledStyleGuide CompiledGuide,
    string BrandTimeZone,
    LinkMaking? Links = null);

/// <summary>What tracked links are made from: the app's public address (they are {PublicUrl}/l/{code}) and the secret key of their codes.</summary>
public sealed record LinkMaking(string PublicUrl, byte[] Key);
