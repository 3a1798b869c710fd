using Publisher.StyleGuide;
using Publisher.Templates.Channels;
using Publisher.Templates.Model;

namespace Publisher.Core.Composition;

/// <summary>
/// What rendering and checking a message needs beyond the message itself, loaded once per request: the
/// brand, the current template of each channel kind and the current style guide, compiled.
/// </summary>
public sealed record CompositionContext(
    BrandInput Brand,
    IReadOnlyDictionary<ChannelKind, string> Templates,
    BrandStyleGuide Guide,
    CompiledStyleGuide CompiledGuide,
    string BrandTimeZone);
