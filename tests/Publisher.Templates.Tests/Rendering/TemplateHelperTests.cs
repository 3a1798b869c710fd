using Publisher.Templates.Channels;
using Publisher.Templates.Counting;

namespace Publisher.Templates.Tests.Rendering;

public class TemplateHelperTests
{
    private static string Render(string template, ChannelKind kind = ChannelKind.X)
    {
        var variant = TestData.RenderWithTemplate(template, kind);
        Assert.True(variant.Success, string.Join("; ", variant.Diagnostics));
        return variant.Text;
    }

    [Fact]
    public void Fit_shortens_at_a_word_boundary_by_the_channels_own_count()
    {
        // On X each CJK character counts 2, so 10 weighted characters hold far fewer of them.
        Assert.Equal("one two…", Render("{{ fit 'one two three four' 9 }}"));
        var cjk = Render("{{ fit '日本語のテキストです' 10 }}");
        Assert.True(XWeightedLength.Count(cjk) <= 10, cjk);
        Assert.EndsWith("…", cjk);
        Assert.Equal("short", Render("{{ fit 'short' 9 }}"));
    }

    [Fact]
    public void Hashtags_are_normalized_deduplicated_and_capped()
    {
        Assert.Equal("#SpringSale #café", Render("{{ hashtags ['#Spring Sale', 'café', 'springsale', '#', 'Extra'] 2 }}"));
        Assert.Equal("#a #b #c", Render("{{ hashtags ['a', 'b', 'c'] }}"));
    }

    [Fact]
    public void Json_writes_strings_lists_and_nulls_as_valid_json()
    {
        var variant = TestData.RenderWithTemplate("{ \"text\": {{ json 'say \"hi\"\\n' }}, \"tags\": {{ json message.hashtags }}, \"none\": {{ json message.summary }} }", ChannelKind.Webhook);
        Assert.True(variant.Success, string.Join("; ", variant.Diagnostics));
        Assert.Equal("{ \"text\": \"say \\\"hi\\\"\\n\", \"tags\": [\"AutumnSale\"], \"none\": null }", variant.JsonPayload);
        Assert.Equal("say \"hi\"\n", variant.Text);
    }

    [Fact]
    public void Count_uses_the_channel_rule()
    {
        Assert.Equal("23", Render("{{ count 'https://example.com/a/very/long/path/that/goes/on' }}", ChannelKind.X));
        Assert.Equal("49", Render("{{ count 'https://example.com/a/very/long/path/that/goes/on' }}", ChannelKind.LinkedIn));
    }

    [Fact]
    public void Slack_and_xml_escaping_cover_their_special_characters()
    {
        Assert.Equal("a &amp; &lt;b&gt; ' \"", Render("{{ slack_escape \"a & <b> ' \\\"\" }}", ChannelKind.Mastodon));
        Assert.Equal("a &amp; &lt;b&gt; &apos; &quot;", Render("{{ xml_escape \"a & <b> ' \\\"\" }}", ChannelKind.Mastodon));
    }
}
