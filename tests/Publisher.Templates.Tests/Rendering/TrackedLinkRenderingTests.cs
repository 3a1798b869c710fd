using System.Text.Json;
using Publisher.Templates.Channels;
using Publisher.Templates.Counting;
using Publisher.Templates.Model;
using Publisher.Templates.Rendering;

namespace Publisher.Templates.Tests.Rendering;

/// <summary>With tracking on, every link goes out as its short link, and is counted and faceted as the network will see it.</summary>
public class TrackedLinkRenderingTests
{
    private const string Body = "Our guide is out: [read it](https://acme.example.com/guide). Also see https://partner.example.org/offer today.";

    /// <summary>A stand-in for the composer: one short link per destination, numbered in the order they were asked for.</summary>
    private sealed class Shortener
    {
        public List<string> Asked { get; } = [];

        public string Shorten(string destination)
        {
            var index = Asked.IndexOf(destination);
            if (index < 0)
            {
                Asked.Add(destination);
                index = Asked.Count - 1;
            }
            return $"https://go.acme.example.com/l/code{index:D6}";
        }
    }

    private static (RenderedVariant Variant, Shortener Shortener) Render(ChannelKind kind, string body = Body, string? template = null, bool allowThreads = false)
    {
        var shortener = new Shortener();
        var settings = new ChannelSettings { Kind = kind, ShortenLink = shortener.Shorten, TemplateSource = template, AllowThreads = allowThreads };
        var message = TestData.Message(body) with { Summary = kind == ChannelKind.X ? "Read our guide." : null };
        return (SharedRenderer.Instance.Render(message, TestData.Brand, TestData.Campaign, settings), shortener);
    }

    [Fact]
    public void The_X_post_carries_the_short_link_counted_as_23_and_the_approver_sees_where_it_leads()
    {
        var (x, _) = Render(ChannelKind.X);

        Assert.True(x.Success, string.Join("; ", x.Diagnostics));
        var link = Assert.Single(x.Links); // the X template shows the summary, not the body's links
        Assert.Equal(link.ShortUrl, x.Link);
        Assert.Equal("https://acme.example.com/sale?utm_source=x&utm_medium=social&utm_campaign=autumn-sale", link.Destination);
        Assert.Contains(link.ShortUrl, x.Text);
        Assert.DoesNotContain("acme.example.com/sale", x.Text);
        var withoutLink = x.Text.Replace(link.ShortUrl, "");
        Assert.Equal(XWeightedLength.Count(withoutLink) + 23, x.Count.Used);
    }

    [Fact]
    public void Body_links_are_tagged_and_shortened_in_text_and_in_html_and_each_destination_is_shortened_once()
    {
        var (mastodon, _) = Render(ChannelKind.Mastodon);
        Assert.True(mastodon.Success, string.Join("; ", mastodon.Diagnostics));
        Assert.Equal(3, mastodon.Links.Count);
        Assert.Equal(
            [
                "https://acme.example.com/sale?utm_source=mastodon&utm_medium=social&utm_campaign=autumn-sale",
                "https://acme.example.com/guide?utm_source=mastodon&utm_medium=social&utm_campaign=autumn-sale",
                "https://partner.example.org/offer?utm_source=mastodon&utm_medium=social&utm_campaign=autumn-sale",
            ], mastodon.Links.Select(l => l.Destination));
        Assert.All(mastodon.Links, l => Assert.Contains(l.ShortUrl, mastodon.Text));
        Assert.DoesNotContain("partner.example.org", mastodon.Text);

        var (email, _) = Render(ChannelKind.Email);
        Assert.True(email.Success, string.Join("; ", email.Diagnostics));
        Assert.DoesNotContain("href=\"https://acme.example.com/guide", email.Html);
        var guide = email.Links.Single(l => l.Destination.StartsWith("https://acme.example.com/guide?utm_source=newsletter"));
        Assert.Contains($"href=\"{guide.ShortUrl}\"", email.Html);
        Assert.Contains(guide.ShortUrl, email.Text); // the plain-text part too
        Assert.Equal(email.Links.Count, email.Links.Select(l => l.ShortUrl).Distinct().Count());

        var (blog, _) = Render(ChannelKind.Blog);
        Assert.Contains($"href=\"{blog.Link}\"", blog.Html); // the call to action
        Assert.DoesNotContain("href=\"https://partner.example.org", blog.Html);
    }

    [Fact]
    public void A_bluesky_post_shows_the_short_link_and_its_facet_points_at_it()
    {
        var (bluesky, _) = Render(ChannelKind.Bluesky, body: "Fresh beans.");
        Assert.True(bluesky.Success, string.Join("; ", bluesky.Diagnostics));
        var link = Assert.Single(bluesky.Links);
        var facet = Assert.Single(bluesky.Facets, f => f.Kind == Publisher.Templates.Bluesky.BlueskyFacetKind.Link);
        Assert.Equal(link.ShortUrl, facet.Value);
        Assert.Contains(Publisher.Templates.Bluesky.BlueskyLinkText.ShortForm(link.ShortUrl), bluesky.Text);
        Assert.DoesNotContain("utm_source", bluesky.Text);
    }

    [Fact]
    public void A_link_a_template_writes_itself_is_tracked_too_and_the_webhook_payload_carries_short_links()
    {
        var (linkedIn, _) = Render(ChannelKind.LinkedIn, template: "{{ message.title }} — visit https://acme.example.com/stores");
        var stores = Assert.Single(linkedIn.Links);
        Assert.StartsWith("https://acme.example.com/stores?utm_source=linkedin", stores.Destination);
        Assert.Contains(stores.ShortUrl, linkedIn.Text);

        var (webhook, _) = Render(ChannelKind.Webhook);
        using var payload = JsonDocument.Parse(webhook.JsonPayload!);
        Assert.Equal(webhook.Link, payload.RootElement.GetProperty("link").GetString());
        Assert.StartsWith("https://go.acme.example.com/l/", webhook.Link);
    }

    [Fact]
    public void Rendering_again_gives_the_same_variant_and_without_tracking_nothing_changes()
    {
        var (first, _) = Render(ChannelKind.Email);
        var (again, _) = Render(ChannelKind.Email);
        Assert.Equal(first.Text, again.Text);
        Assert.Equal(first.Html, again.Html);
        Assert.Equal(first.Links, again.Links);

        var untracked = SharedRenderer.Instance.Render(TestData.Message(Body), TestData.Brand, TestData.Campaign, ChannelSettings.For(ChannelKind.Mastodon));
        Assert.Empty(untracked.Links);
        Assert.Contains("https://acme.example.com/sale?utm_source=mastodon", untracked.Text);
        Assert.Contains("https://partner.example.org/offer", untracked.Text);
    }
}
