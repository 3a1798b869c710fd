using Publisher.Templates.Model;

namespace Publisher.Templates.Rendering;

/// <summary>The message a template is trial-rendered with when it is validated.</summary>
internal static class SampleContent
{
    public static MessageInput Message { get; } = new()
    {
        Id = "sample",
        // Markup in every text field shows up as HTML the sanitizer removes when a template writes that field without html.escape.
        Title = "Sample title <img src=x onerror=alert(1)>",
        BodyMarkdown = "A first sentence of the sample body. A second one with **emphasis** and a [link](https://example.com/more).\n\n- one point\n- another point",
        Summary = "A short sample summary <u onclick=alert(2)>here</u>.",
        Link = "https://example.com/sample",
        CallToAction = "Read more <i onclick=alert(3)>now</i>",
        Hashtags = ["Sample", "Publisher"],
        KeyFacts = ["A sample fact <s onclick=alert(4)>here</s>"],
        Author = "Sam Ple <b onclick=alert(5)>here</b>",
        PublishAt = new DateTimeOffset(2026, 1, 15, 9, 0, 0, TimeSpan.Zero),
    };

    public static BrandInput Brand { get; } = new() { Name = "Sample Brand", WebsiteUrl = "https://example.com", BlogUrl = "https://example.com/blog" };

    public static CampaignInput Campaign { get; } = new("Sample campaign", "sample-campaign");
}
