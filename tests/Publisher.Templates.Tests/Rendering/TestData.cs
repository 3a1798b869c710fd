using Publisher.Templates.Channels;
using Publisher.Templates.Model;
using Publisher.Templates.Rendering;

namespace Publisher.Templates.Tests.Rendering;

internal static class TestData
{
    public static readonly BrandInput Brand = new() { Name = "Acme", WebsiteUrl = "https://acme.example.com" };

    public static readonly CampaignInput Campaign = new("Autumn sale", "autumn-sale");

    public static MessageInput Message(string body = "A short body. It has two sentences.", string? link = "https://acme.example.com/sale") => new()
    {
        Title = "Autumn sale starts today",
        BodyMarkdown = body,
        Summary = null,
        Link = link,
        Hashtags = ["AutumnSale"],
    };

    /// <summary>A renderer with its own limits, sharing the compiled Razor layouts of the test run.</summary>
    public static VariantRenderer RendererWith(RenderLimits limits) =>
        new(new TemplateCache(), SharedLayouts, limits);

    private static readonly LayoutRenderer SharedLayouts = new();

    public static RenderedVariant RenderWithTemplate(string template, ChannelKind kind = ChannelKind.LinkedIn, RenderLimits? limits = null, CancellationToken cancellation = default)
    {
        var renderer = limits is null ? SharedRenderer.Instance : RendererWith(limits);
        return renderer.Render(Message(), Brand, Campaign, new ChannelSettings { Kind = kind, TemplateSource = template }, cancellation);
    }
}
