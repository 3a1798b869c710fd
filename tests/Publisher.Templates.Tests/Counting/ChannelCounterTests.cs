using Publisher.Templates.Channels;
using Publisher.Templates.Counting;

namespace Publisher.Templates.Tests.Counting;

public class ChannelCounterTests
{
    [Fact]
    public void Mastodon_counts_every_url_as_23_whatever_its_length()
    {
        var url = "https://example.com/" + new string('a', 200);
        Assert.Equal("Read ".Length + 23, ChannelCounter.MastodonLength($"Read {url}"));
        Assert.Equal("Read ".Length + 23, ChannelCounter.MastodonLength("Read http://x.co"));
    }

    [Fact]
    public void Mastodon_counts_a_remote_mention_by_its_local_part()
    {
        Assert.Equal("Hi @alice!".Length, ChannelCounter.MastodonLength("Hi @alice@social.example.org!"));
        Assert.Equal("cc @bob".Length, ChannelCounter.MastodonLength("cc @bob"));
    }

    [Fact]
    public void Mastodon_does_not_shorten_addresses_written_without_a_scheme()
    {
        Assert.Equal("see example.com/page".Length, ChannelCounter.MastodonLength("see example.com/page"));
    }

    [Fact]
    public void Bluesky_counts_graphemes_so_a_family_emoji_is_one()
    {
        var count = ChannelCounter.Count(ChannelKind.Bluesky, "Hi 👨‍👩‍👧‍👦 é");
        Assert.Equal(6, count.Used);
        Assert.Equal(300, count.Limit);
        Assert.Equal("graphemes", count.Unit);
    }

    [Fact]
    public void Threads_counts_characters_but_an_emoji_as_its_utf8_bytes()
    {
        // "Hi " 3, 👍 4 bytes, " " 1, 👍🏽 8 bytes, " é" 2 (é is one character, not an emoji), family (4 people + 3 ZWJ) 25 bytes.
        var count = ChannelCounter.Count(ChannelKind.Threads, "Hi 👍 👍🏽 é👨‍👩‍👧‍👦");
        Assert.Equal(3 + 4 + 1 + 8 + 2 + 25, count.Used);
        Assert.Equal(500, count.Limit);
        Assert.Equal("Hello, world".Length, ChannelCounter.ThreadsLength("Hello, world"));
        // A keycap digit is an emoji; a plain digit is one character.
        Assert.Equal(1 + 7, ChannelCounter.ThreadsLength("21\uFE0F\u20E3"));
    }

    [Fact]
    public void Instagram_counts_its_caption_against_2200()
    {
        var count = ChannelCounter.Count(ChannelKind.Instagram, new string('a', 2201));
        Assert.True(count.IsOverLimit);
        Assert.Equal(2200, count.Limit);
    }

    [Fact]
    public void X_count_is_the_twitter_text_weighted_length()
    {
        var count = ChannelCounter.Count(ChannelKind.X, "日本 https://example.com/long/path 🎉");
        Assert.Equal(2 * 2 + 1 + 23 + 1 + 2, count.Used);
        Assert.Equal(280, count.Limit);
    }

    [Theory]
    [InlineData(ChannelKind.LinkedIn, 3000)]
    [InlineData(ChannelKind.FacebookPage, 63206)]
    public void Long_form_networks_have_their_published_limits(ChannelKind kind, int limit)
    {
        var count = ChannelCounter.Count(kind, new string('a', limit + 1));
        Assert.Equal(limit, count.Limit);
        Assert.True(count.IsOverLimit);
    }

    [Fact]
    public void Every_channel_kind_has_a_profile_and_a_default_template()
    {
        foreach (var kind in Enum.GetValues<ChannelKind>())
        {
            var profile = ChannelProfiles.Get(kind);
            Assert.Equal(kind, profile.Kind);
            Assert.NotEmpty(Publisher.Templates.Rendering.DefaultTemplates.For(kind));
        }
        Assert.True(ChannelProfiles.Get(ChannelKind.X).SupportsThreads);
        Assert.False(ChannelProfiles.Get(ChannelKind.LinkedIn).SupportsThreads);
        Assert.True(ChannelProfiles.Get(ChannelKind.Email).SupportsHtml);
    }

    [Fact]
    public void Weighted_length_never_throws_on_lone_surrogates_or_noncharacters()
    {
        var result = XWeightedLength.Parse("a\uD800b\uFFFFc\uDC00");
        Assert.False(result.IsValid);
        Assert.True(result.WeightedLength > 0);
    }

    [Theory]
    [InlineData("a.")]
    [InlineData("1.")]
    [InlineData("(a.")]
    [InlineData("ab.c-")]
    public void Long_runs_of_dotted_text_are_counted_without_finding_urls_in_them(string unit)
    {
        var text = string.Concat(Enumerable.Repeat(unit, 20_000));
        Assert.Empty(UrlExtractor.Extract(text));
        Assert.Equal(text.Length, XWeightedLength.Count(text));
    }
}
