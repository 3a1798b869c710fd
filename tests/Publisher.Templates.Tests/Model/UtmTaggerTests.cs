using Publisher.Templates.Channels;
using Publisher.Templates.Model;

namespace Publisher.Templates.Tests.Model;

public class UtmTaggerTests
{
    private static readonly CampaignInput Campaign = new("Spring Launch 2026");

    [Fact]
    public void A_plain_link_gets_source_medium_and_campaign_for_the_channel()
    {
        var tagged = UtmTagger.Tag("https://example.com/launch", ChannelKind.LinkedIn, new UtmSettings(), Campaign);
        Assert.Equal("https://example.com/launch?utm_source=linkedin&utm_medium=social&utm_campaign=spring-launch-2026", tagged.Url);
        Assert.Null(tagged.Error);
    }

    [Fact]
    public void Existing_query_parameters_are_kept_in_their_original_spelling()
    {
        var tagged = UtmTagger.Tag("https://example.com/p?q=a%20b&lang=fr", ChannelKind.Email, new UtmSettings(), Campaign);
        Assert.Equal("https://example.com/p?q=a%20b&lang=fr&utm_source=newsletter&utm_medium=email&utm_campaign=spring-launch-2026", tagged.Url);
    }

    [Fact]
    public void The_fragment_stays_at_the_end_after_the_new_parameters()
    {
        var tagged = UtmTagger.Tag("https://example.com/docs?v=2#install", ChannelKind.X, new UtmSettings(), Campaign);
        Assert.Equal("https://example.com/docs?v=2&utm_source=x&utm_medium=social&utm_campaign=spring-launch-2026#install", tagged.Url);
    }

    [Fact]
    public void Utm_parameters_already_in_the_link_are_not_duplicated_or_overwritten()
    {
        var tagged = UtmTagger.Tag("https://example.com/?UTM_SOURCE=partner&utm_campaign=own", ChannelKind.Mastodon, new UtmSettings(), Campaign);
        Assert.Equal("https://example.com/?UTM_SOURCE=partner&utm_campaign=own&utm_medium=social", tagged.Url);
    }

    [Fact]
    public void Tagging_switched_off_leaves_the_link_exactly_as_written()
    {
        var tagged = UtmTagger.Tag("https://example.com/a?b=c#d", ChannelKind.X, UtmSettings.Off, Campaign);
        Assert.Equal("https://example.com/a?b=c#d", tagged.Url);
    }

    [Fact]
    public void Per_channel_settings_override_defaults_and_an_empty_value_leaves_a_parameter_out()
    {
        var settings = new UtmSettings { Source = "company page", Medium = "", Campaign = "q2", Content = "variant-b" };
        var tagged = UtmTagger.Tag("https://example.com", ChannelKind.FacebookPage, settings, Campaign);
        Assert.Equal("https://example.com?utm_source=company%20page&utm_campaign=q2&utm_content=variant-b", tagged.Url);
    }

    [Fact]
    public void A_link_ending_in_a_bare_question_mark_gets_no_extra_separator()
    {
        var tagged = UtmTagger.Tag("https://example.com/x?", ChannelKind.Bluesky, new UtmSettings(), null);
        Assert.Equal("https://example.com/x?utm_source=bluesky&utm_medium=social", tagged.Url);
    }

    [Theory]
    [InlineData("example.com/no-scheme")]
    [InlineData("htp:/broken")]
    [InlineData("javascript:alert(1)")]
    [InlineData("ftp://example.com/file")]
    [InlineData("https://exa mple.com/")]
    public void A_malformed_link_is_reported_and_not_tagged(string link)
    {
        var tagged = UtmTagger.Tag(link, ChannelKind.X, new UtmSettings(), Campaign);
        Assert.Null(tagged.Url);
        Assert.NotNull(tagged.Error);
        Assert.Contains("https://", tagged.Error);
    }

    [Fact]
    public void The_campaign_slug_is_made_from_the_name_without_accents_or_punctuation()
    {
        Assert.Equal("fete-du-cafe-2026", UtmTagger.CampaignSlug(new CampaignInput("Fête du café — 2026!")));
        Assert.Equal("given", UtmTagger.CampaignSlug(new CampaignInput("Ignored", "given")));
    }
}
