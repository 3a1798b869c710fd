using System.Text;
using Publisher.Templates.Channels;
using Publisher.Templates.Html;
using Publisher.Templates.Model;
using Publisher.Templates.Rendering;

namespace Publisher.Templates.Tests.Rendering;

/// <summary>
/// The shipped templates already write clean HTML: random Markdown and random field values (markup, quotes,
/// entities, script addresses, foreign images, right-to-left text, emoji) rendered through every shipped
/// template give HTML the sanitizer has nothing to remove from, and that passes it again unchanged. A seeded
/// generator, so a failure names a case that can be run again.
/// </summary>
public class ShippedTemplatesPropertyTests
{
    private static readonly BrandInput Brand = TestData.Brand with
    {
        MediaBaseUrl = "https://publisher.example/media/", ImageHosts = ["cdn.brand.example"], BlogUrl = "https://publisher.example/blog",
        FooterText = "You get this <b>because</b> & \"why\"", PostalAddress = "1 Rue d'Été, <Paris>",
    };

    private static readonly ImagePolicy Images = new() { MediaBaseUrl = Brand.MediaBaseUrl, Hosts = Brand.ImageHosts };

    private static readonly string[] Words =
    [
        "coffee", "fig", "cocoa", "Ünïcödé", "مرحبا", "שלום", "☕", "🎉", "👩🏽‍💻", "<b>bold</b>", "<script>alert(1)</script>", "&amp;", "&lt;", "\"quoted\"",
        "it's", "a&b", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "{{ x }}", "#hash", "@user", "50%", "\\", "`tick`", "—", "\u200f",
    ];

    private static readonly string[] Addresses =
    [
        "https://northwind.example/a?x=1&y=2", "http://example.com", "javascript:alert(1)", "data:text/html,x", "/relative", "mailto:hi@example.com",
        "https://example.com/a b", "vbscript:x", "https://cdn.brand.example/i.png", "https://tracker.example/p.gif", "/media/0f/p.png",
        "https://publisher.example/media/0f/q.png",
    ];

    [Fact]
    public void Random_messages_through_every_shipped_template_give_html_the_sanitizer_leaves_alone()
    {
        var random = new Random(1124);
        for (var i = 0; i < 150; i++)
        {
            // Attached media as the media library plans them (the app's own addresses, the alt text the author typed).
            var media = Enumerable.Range(0, random.Next(3)).Select(n => Media(random, n)).ToList();
            var channels = Enum.GetValues<ChannelKind>().Select(kind => new ChannelSettings { Kind = kind, AllowThreads = true, Media = media }).ToList();
            var message = new MessageInput
            {
                Id = Guid.NewGuid().ToString(),
                Title = Sentence(random, 1, 8),
                BodyMarkdown = Markdown(random),
                Summary = random.Next(3) == 0 ? null : Sentence(random, 1, 20),
                CallToAction = random.Next(3) == 0 ? null : Sentence(random, 1, 5),
                Author = random.Next(3) == 0 ? null : Sentence(random, 1, 3),
                KeyFacts = Enumerable.Range(0, random.Next(4)).Select(_ => Sentence(random, 1, 4)).ToList(),
                Hashtags = Enumerable.Range(0, random.Next(4)).Select(_ => Words[random.Next(Words.Length)]).ToList(),
                Link = random.Next(4) == 0 ? null : "https://northwind.example/p?q=" + random.Next(),
                PublishAt = random.Next(2) == 0 ? null : new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero).AddHours(random.Next(10_000)),
            };
            var variants = SharedRenderer.Instance.RenderAll(message, Brand, new CampaignInput("Spring <launch>", "spring"), channels);
            foreach (var variant in variants.Where(v => v.Html is not null))
            {
                var context = $"case {i}, {variant.Kind}:\n{message.BodyMarkdown}";
                var removedByRender = variant.Diagnostics.FirstOrDefault(d => d.Code == "html.removed");
                Assert.True(removedByRender is null, context + "\n" + removedByRender?.Message + "\n" + variant.Html);
                var again = SafeHtmlPolicy.Instance.SanitizeDocument(variant.Html!, Images);
                Assert.True(again.Removed.Count == 0, context + "\nremoved: " + string.Join(", ", again.Removed));
                Assert.True(again.Html == variant.Html, context + "\nthe sanitizer changed the output again");
                if (variant.FeedEntry is { } entry)
                    Assert.Empty(SafeHtmlPolicy.Instance.SanitizeFeedEntry(entry, Images)!.Removed);
            }
            Assert.Equal(Enum.GetValues<ChannelKind>().Length, variants.Count);
        }
    }

    private static MediaInput Media(Random random, int n)
    {
        var video = random.Next(3) == 0;
        var url = $"https://publisher.example/media/{random.Next():x}/{n}.{(video ? "mp4" : "jpg")}";
        return new MediaInput
        {
            Kind = video ? "video" : "image", Url = url, Alt = Sentence(random, 0, 4), Width = 1200, Height = 800,
            ContentType = video ? "video/mp4" : "image/jpeg", Sha256 = new string('a', 64), Bytes = 1000,
            PosterUrl = video ? url[..^4] + "-poster.jpg" : null,
            Sources = random.Next(2) == 0 ? [] : [new MediaSource(320, url[..^4] + "-320.jpg"), new MediaSource(640, url[..^4] + "-640.jpg")],
        };
    }

    private static string Sentence(Random random, int min, int max) =>
        string.Join(' ', Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => Words[random.Next(Words.Length)]));

    private static string Markdown(Random random)
    {
        var text = new StringBuilder();
        for (var block = random.Next(1, 7); block > 0; block--)
        {
            var line = Inline(random);
            text.Append(random.Next(9) switch
            {
                0 => "# " + line,
                1 => "- " + line + "\n- " + Inline(random) + "\n  - " + Inline(random),
                2 => "1. " + line + "\n2. " + Inline(random),
                3 => new string('>', random.Next(1, 6)) + " " + line,
                4 => "```\n" + line + "\n```",
                5 => "    " + line,
                6 => line + "  \n" + Inline(random),
                7 => "---",
                _ => line,
            }).Append("\n\n");
        }
        return text.ToString();
    }

    private static string Inline(Random random)
    {
        var parts = new List<string>();
        for (var n = random.Next(1, 8); n > 0; n--)
        {
            var word = Words[random.Next(Words.Length)];
            var address = Addresses[random.Next(Addresses.Length)];
            parts.Add(random.Next(10) switch
            {
                0 => $"**{word}**",
                1 => $"*{word}*",
                2 => $"[{word}]({address})",
                3 => $"![{word}]({address})",
                4 => $"<{address}>",
                5 => $"`{word}`",
                6 => $"~~{word}~~",
                7 => address,
                _ => word,
            });
        }
        return string.Join(' ', parts);
    }
}
