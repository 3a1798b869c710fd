using Publisher.Templates.Channels;
using Publisher.Templates.Diagnostics;
using Publisher.Templates.Rendering;

namespace Publisher.Templates.Tests.Rendering;

public class SandboxTests
{
    private static Diagnostic SingleError(RenderedVariant variant)
    {
        Assert.False(variant.Success);
        Assert.Equal("", variant.Text);
        Assert.Empty(variant.Parts);
        return Assert.Single(variant.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void An_endless_loop_is_stopped_by_the_loop_limit_and_reported_with_its_position()
    {
        var error = SingleError(TestData.RenderWithTemplate("Hello\n{{ while true }}x{{ end }}"));
        Assert.Equal("template.loop-limit", error.Code);
        Assert.Equal(2, error.Line);
        Assert.Contains("loop that never ends", error.Message);
    }

    [Fact]
    public void Nested_loops_count_together_against_the_loop_limit()
    {
        var error = SingleError(TestData.RenderWithTemplate("{{ for i in 1..100 }}{{ for j in 1..100 }}.{{ end }}{{ end }}"));
        Assert.Equal("template.loop-limit", error.Code);
    }

    [Fact]
    public void Endless_recursion_is_stopped_by_the_recursion_limit()
    {
        var error = SingleError(TestData.RenderWithTemplate("{{ func down(n)\n ret down(n + 1)\nend }}{{ down 1 }}"));
        Assert.Equal("template.recursion-limit", error.Code);
    }

    [Theory]
    [InlineData("{{ System.IO.File.ReadAllText \"/etc/passwd\" }}")]
    [InlineData("{{ System.Environment.Exit 1 }}")]
    [InlineData("{{ message.GetType }}")]
    public void Reaching_for_dotnet_types_or_members_gives_an_error_not_their_value(string template)
    {
        var variant = TestData.RenderWithTemplate(template);
        Assert.False(variant.Success);
        Assert.DoesNotContain("root:", variant.Text);
        var error = Assert.Single(variant.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.StartsWith("template.", error.Code);
        Assert.NotNull(error.Line);
    }

    [Fact]
    public void Include_cannot_read_files_because_there_is_no_template_loader()
    {
        var error = SingleError(TestData.RenderWithTemplate("{{ include '/etc/passwd' }}"));
        Assert.StartsWith("template.", error.Code);
    }

    [Fact]
    public void A_slow_template_is_stopped_at_the_time_limit()
    {
        var limits = RenderLimits.Default with { RenderTimeout = TimeSpan.FromMilliseconds(30), LoopLimit = 1_000_000 };
        // A million cheap steps: far longer than 30 ms, within the loop limit, and allocating little,
        // so the time limit (not the memory one) is what stops it.
        const string template = "{{ for i in 1..1000000 }}{{ x = i * 2 }}{{ end }}done";
        var error = SingleError(TestData.RenderWithTemplate(template, limits: limits));
        Assert.Equal("template.time-limit", error.Code);
        Assert.Contains("30 ms", error.Message);
    }

    [Fact]
    public void Output_beyond_the_size_limit_is_an_error_and_no_partial_text_is_returned()
    {
        var limits = RenderLimits.Default with { MaxOutputCharacters = 1_000 };
        var error = SingleError(TestData.RenderWithTemplate("{{ for i in 1..500 }}0123456789{{ end }}", limits: limits));
        Assert.Equal("template.output-limit", error.Code);
    }

    [Fact]
    public void Text_that_doubles_in_a_loop_is_stopped_before_it_exhausts_memory()
    {
        var variant = TestData.RenderWithTemplate("{{ s = 'xxxxxxxxxxxxxxxx' }}{{ for i in 1..60 }}{{ s = s + s }}{{ end }}{{ s | string.size }}");
        var error = SingleError(variant);
        Assert.Contains(error.Code, new[] { "template.memory-limit", "template.output-limit" });
    }

    [Fact]
    public void A_canceled_render_ends_with_an_error()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var error = SingleError(TestData.RenderWithTemplate("{{ for i in 1..500 }}{{ i }}{{ end }}", cancellation: cancellation.Token));
        Assert.Equal("template.canceled", error.Code);
    }

    [Fact]
    public void A_syntax_error_is_a_diagnostic_with_line_and_column()
    {
        var variant = TestData.RenderWithTemplate("Line one\n{{ if message.title }}\nno end");
        Assert.False(variant.Success);
        var error = Assert.Single(variant.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("template.syntax", error.Code);
        Assert.NotNull(error.Line);
        Assert.NotNull(error.Column);
    }

    [Fact]
    public void Validate_template_reports_syntax_errors_at_their_line_and_column()
    {
        var diagnostics = SharedRenderer.Instance.ValidateTemplate(ChannelKind.X, "Hello {{ message.title }}\n{{ x = (1 + }}");
        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, d =>
        {
            Assert.Equal(DiagnosticSeverity.Error, d.Severity);
            Assert.Equal("template.syntax", d.Code);
            Assert.Equal(2, d.Line);
            Assert.Equal(13, d.Column);
        });
    }

    [Fact]
    public void Validate_template_reports_unknown_variables_found_by_a_trial_render()
    {
        var diagnostics = SharedRenderer.Instance.ValidateTemplate(ChannelKind.Mastodon, "{{ message.title }}\n{{ mesage.body_text }}");
        var error = Assert.Single(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("template.unknown-name", error.Code);
        Assert.Equal(2, error.Line);
        Assert.Contains("mesage", error.Message);
    }

    [Theory]
    [InlineData(ChannelKind.X)]
    [InlineData(ChannelKind.Mastodon)]
    [InlineData(ChannelKind.Bluesky)]
    [InlineData(ChannelKind.LinkedIn)]
    [InlineData(ChannelKind.FacebookPage)]
    [InlineData(ChannelKind.Email)]
    [InlineData(ChannelKind.Blog)]
    [InlineData(ChannelKind.Webhook)]
    public void Every_default_template_validates_without_findings(ChannelKind kind)
    {
        Assert.Empty(SharedRenderer.Instance.ValidateTemplate(kind, DefaultTemplates.For(kind)));
    }

    [Fact]
    public void A_template_that_is_too_long_is_refused_before_parsing()
    {
        var diagnostics = SharedRenderer.Instance.ValidateTemplate(ChannelKind.X, new string('a', RenderLimits.Default.MaxTemplateCharacters + 1));
        Assert.Equal("template.too-long", Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void A_template_cannot_change_the_data_another_variant_sees()
    {
        var renderer = SharedRenderer.Instance;
        var channels = new[]
        {
            new Publisher.Templates.Model.ChannelSettings { Kind = ChannelKind.X, TemplateSource = "{{ message.title = 'HIJACKED' }}{{ message.title }}" },
            new Publisher.Templates.Model.ChannelSettings { Kind = ChannelKind.Mastodon, TemplateSource = "{{ message.title }}" },
        };
        var variants = renderer.RenderAll(TestData.Message(), TestData.Brand, TestData.Campaign, channels);
        Assert.Equal("HIJACKED", variants[0].Text);
        Assert.Equal("Autumn sale starts today", variants[1].Text);
    }

    [Fact]
    public void An_email_template_that_writes_message_text_without_escaping_fails_validation()
    {
        const string template = "{{ subject = message.title }}{{ capture content_html }}<h1>{{ message.title }}</h1>{{ end }}{{ message.title }}";
        var diagnostics = SharedRenderer.Instance.ValidateTemplate(ChannelKind.Email, template);
        var error = Assert.Single(diagnostics, d => d.Code == "template.unsafe-html");
        Assert.Contains("onerror", error.Message);
    }

    [Fact]
    public void A_blog_template_with_a_script_fails_validation()
    {
        const string template = "{{ capture feed_entry }}<entry xmlns=\"http://www.w3.org/2005/Atom\"/>{{ end }}<article>{{ message.title | html.escape }}<script>track()</script></article>";
        var diagnostics = SharedRenderer.Instance.ValidateTemplate(ChannelKind.Blog, template);
        Assert.Contains("<script>", Assert.Single(diagnostics, d => d.Code == "template.unsafe-html").Message);
    }

    [Theory]
    [InlineData("{{ string.upcase = 'hijacked' }}")]
    [InlineData("{{ count = 'hijacked' }}")]
    [InlineData("{{ html.escape = 'hijacked' }}")]
    public void A_template_cannot_replace_builtins_or_helpers_for_later_renders(string template)
    {
        TestData.RenderWithTemplate(template + "x");
        var after = TestData.RenderWithTemplate("{{ 'a<' | string.upcase | html.escape }} {{ count 'abc' }}");
        Assert.True(after.Success, string.Join("; ", after.Diagnostics));
        Assert.StartsWith("A&lt; 3", after.Text);
    }

    [Theory]
    [InlineData(ChannelKind.Email, "{{ message.title }}", "email.html-empty")]
    [InlineData(ChannelKind.Blog, "<article>{{ message.title | html.escape }}</article>", "blog.feed-entry-empty")]
    [InlineData(ChannelKind.Webhook, "{ \"text\": {{ message.title }} }", "webhook.invalid-json")]
    public void Validation_reports_what_a_channel_needs_from_its_template(ChannelKind kind, string template, string code)
    {
        var diagnostics = SharedRenderer.Instance.ValidateTemplate(kind, template);
        Assert.Contains(diagnostics, d => d.Code == code && d.Severity == DiagnosticSeverity.Error);
        Assert.DoesNotContain(diagnostics, d => d.Code.StartsWith("message.", StringComparison.Ordinal));
    }
}
