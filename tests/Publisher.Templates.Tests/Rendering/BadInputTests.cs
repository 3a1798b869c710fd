using Publisher.Templates.Channels;
using Publisher.Templates.Diagnostics;
using Publisher.Templates.Model;
using Publisher.Templates.Rendering;

namespace Publisher.Templates.Tests.Rendering;

public class BadInputTests
{
    private static readonly ChannelSettings[] AllChannels = Enum.GetValues<ChannelKind>().Select(ChannelSettings.For).ToArray();

    private static IReadOnlyList<RenderedVariant> RenderAll(MessageInput message) =>
        SharedRenderer.Instance.RenderAll(message, TestData.Brand, TestData.Campaign, AllChannels);

    [Fact]
    public void An_empty_body_warns_and_the_variants_still_carry_title_and_link()
    {
        var variants = RenderAll(TestData.Message(body: "   "));
        Assert.All(variants, v =>
        {
            Assert.Contains(v.Diagnostics, d => d.Code == "message.empty-body" && d.Severity == DiagnosticSeverity.Warning);
            Assert.True(v.Success, $"{v.Kind}: {string.Join("; ", v.Diagnostics)}");
        });
        Assert.Contains("acme.example.com/sale", variants.Single(v => v.Kind == ChannelKind.X).Text);
    }

    [Fact]
    public void A_message_with_no_title_and_no_body_is_an_error_for_every_channel()
    {
        var variants = RenderAll(new MessageInput());
        Assert.All(variants, v =>
        {
            Assert.False(v.Success);
            Assert.Equal("", v.Text);
            Assert.Contains(v.Diagnostics, d => d.Code == "message.empty");
        });
    }

    [Fact]
    public void A_five_megabyte_body_is_refused_with_its_size_and_the_limit()
    {
        var body = new string('x', 5 * 1024 * 1024);
        var variants = RenderAll(TestData.Message(body));
        Assert.All(variants, v =>
        {
            Assert.False(v.Success);
            Assert.Equal("", v.Text);
            var error = Assert.Single(v.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
            Assert.Equal("message.body-too-long", error.Code);
            Assert.Contains("5,242,880", error.Message);
            Assert.Contains("100,000", error.Message);
        });
    }

    [Fact]
    public void A_malformed_link_is_an_error_and_the_variant_is_not_publishable()
    {
        var variants = RenderAll(TestData.Message(link: "htps//acme.example.com/sale"));
        Assert.All(variants, v =>
        {
            Assert.False(v.Success);
            Assert.Null(v.Link);
            var error = Assert.Single(v.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
            Assert.Equal("message.link-invalid", error.Code);
            Assert.Contains("htps//acme.example.com/sale", error.Message);
        });
    }

    [Fact]
    public void Control_characters_are_removed_with_a_warning()
    {
        var variant = SharedRenderer.Instance.Render(TestData.Message("Bell\u0007 and null\u0000 and escape\u001B[31m gone."), TestData.Brand, TestData.Campaign, ChannelSettings.For(ChannelKind.Mastodon));
        Assert.True(variant.Success);
        Assert.DoesNotContain('\u0007', variant.Text);
        Assert.DoesNotContain('\u0000', variant.Text);
        Assert.DoesNotContain('\u001B', variant.Text);
        var warning = Assert.Single(variant.Diagnostics, d => d.Code == "message.control-characters");
        Assert.StartsWith("The message contained 3 invisible control characters", warning.Message);
    }

    [Fact]
    public void Windows_line_endings_are_not_reported_as_control_characters()
    {
        var variant = SharedRenderer.Instance.Render(TestData.Message("Line one.\r\n\r\nLine two."), TestData.Brand, TestData.Campaign, ChannelSettings.For(ChannelKind.LinkedIn));
        Assert.DoesNotContain(variant.Diagnostics, d => d.Code == "message.control-characters");
        Assert.Contains("Line one.\n\nLine two.", variant.Text);
    }

    [Fact]
    public void Right_to_left_text_is_kept_and_noted_for_the_reviewer()
    {
        var variant = SharedRenderer.Instance.Render(TestData.Message("שלום לכולם! Welcome, مرحبا."), TestData.Brand, TestData.Campaign, ChannelSettings.For(ChannelKind.Bluesky));
        Assert.True(variant.Success);
        Assert.Contains("שלום לכולם", variant.Text);
        Assert.Contains(variant.Diagnostics, d => d.Code == "message.right-to-left" && d.Severity == DiagnosticSeverity.Info);
    }

    [Fact]
    public void Direction_override_characters_are_flagged_because_they_can_hide_what_text_says()
    {
        var variant = SharedRenderer.Instance.Render(TestData.Message("Pay \u202Eredro ruoy\u202C today."), TestData.Brand, TestData.Campaign, ChannelSettings.For(ChannelKind.X));
        var warning = Assert.Single(variant.Diagnostics, d => d.Code == "message.direction-controls");
        Assert.Contains("2 invisible direction-control characters", warning.Message);
    }

    [Fact]
    public void An_unknown_channel_kind_is_an_error_not_an_exception()
    {
        var variant = SharedRenderer.Instance.Render(TestData.Message(), TestData.Brand, TestData.Campaign, new ChannelSettings { Kind = (ChannelKind)42 });
        Assert.Equal("channel.unknown", Assert.Single(variant.Diagnostics, d => d.Severity == DiagnosticSeverity.Error).Code);
    }

    [Fact]
    public void Null_lists_and_brand_do_not_throw()
    {
        var message = new MessageInput { Title = "T", BodyMarkdown = "B", Hashtags = null!, KeyFacts = null! };
        var variants = SharedRenderer.Instance.RenderAll(message, null!, null, AllChannels);
        Assert.All(variants, v => Assert.True(v.Success, $"{v.Kind}: {string.Join("; ", v.Diagnostics)}"));
    }

    [Fact]
    public void A_template_producing_invalid_json_for_the_webhook_is_an_error()
    {
        var variant = TestData.RenderWithTemplate("{ \"text\": {{ message.title }} }", ChannelKind.Webhook);
        Assert.Equal("webhook.invalid-json", Assert.Single(variant.Diagnostics, d => d.Severity == DiagnosticSeverity.Error).Code);
    }

    [Fact]
    public void A_template_producing_nothing_for_a_post_is_an_error()
    {
        var variant = TestData.RenderWithTemplate("{{ if false }}never{{ end }}", ChannelKind.X);
        Assert.Equal("variant.empty", Assert.Single(variant.Diagnostics, d => d.Severity == DiagnosticSeverity.Error).Code);
    }

    [Fact]
    public void A_long_email_subject_is_a_warning_with_its_length()
    {
        var message = TestData.Message() with { Title = "This subject line is far too long to be shown in full by most email inboxes today" };
        var variant = SharedRenderer.Instance.Render(message, TestData.Brand, TestData.Campaign, ChannelSettings.For(ChannelKind.Email));
        Assert.True(variant.Success);
        var warning = Assert.Single(variant.Diagnostics, d => d.Code == "email.subject-long");
        Assert.Contains($"{message.Title.Length} characters", warning.Message);
        Assert.Equal(message.Title.Length, variant.Count.Used);
        Assert.Equal(60, variant.Count.Limit);
    }
}
