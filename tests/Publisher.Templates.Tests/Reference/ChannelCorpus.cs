using System.Text;

namespace Publisher.Templates.Tests.Reference;

/// <summary>
/// Texts for comparing Publisher with the networks' own libraries: hand-picked hard cases plus texts drawn
/// with a fixed seed from pieces of multilingual marketing copy — emoji sequences (ZWJ, skin tones, flags,
/// keycaps), combining marks, RTL marks, CJK, links glued to text, IDN domains, punctuation around links,
/// mentions, tags and cashtags — joined by spaces, nothing, line breaks or invisible characters.
/// Emoji ZWJ sequences are those of Emoji 11 and earlier: twitter-text 3.1.0 recognises emoji with
/// twemoji-parser 11, which splits newer sequences (🧑‍🤝‍🧑, ❤️‍🔥) into their parts where Publisher,
/// like X today, weighs each as one emoji.
/// </summary>
public static class ChannelCorpus
{
    public const int Seed = 20261130;

    private static readonly string[] Words =
    [
        "Launch", "today", "Café", "naïve", "déjà vu", "Cafe\u0301", "re\u0301sume\u0301", "Straße", "Ångström", "crème brûlée",
        "新品発売", "限时优惠", "今日は", "한국어", "세일", "مرحبا", "تخفيض", "שלום", "מבצע", "Привет", "скидка", "Γειά",
        "नमस्ते", "सेल", "ไทย", "Việt Nam", "50% off", "€49", "$49", "3.5", "v2.0", "e.g.", "etc.)", "Q&A", "R&D",
        "don't", "“quoted”", "«Salut»", "—", "…", "1/3", "2026", "x\u0301", "a\u0308", "\u0301",
    ];

    private static readonly string[] Emoji =
    [
        "🎉", "👍", "👍🏽", "👋🏿", "👩‍👩‍👧", "👨‍💻", "👩🏽‍🚀", "🏳️‍🌈", "🇫🇷", "🇺🇳", "🇯🇵", "1️⃣", "#️⃣", "❤️", "❤", "☕", "✨",
        "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "👨‍👩‍👧‍👦", "🤷‍♀️", "👩‍❤️‍👨", "🏴‍☠️", "👨🏻‍🦰", "©", "©️", "™", "⭐", "🍂", "😀",
    ];

    private static readonly string[] Links =
    [
        "https://example.com", "https://www.northwind.com/holiday?ref=launch", "http://Example.COM/Path", "HTTPS://EXAMPLE.COM/X",
        "example.com/path", "www.brand.co.uk/a/b", "brand.co.uk", "northwind.com/holiday?ref=launch&utm_source=bluesky",
        "https://bücher.de/straße", "bücher.de", "https://例え.jp/パス", "right.한국", "https://example.com/a_(b)",
        "https://example.com/path/to/a/very/long/page?utm_source=x&utm_medium=social#section-2", "t.co/abc123",
        "https://t.co/abc123?x=1", "https://example.com:8080/x", "https://example.com:443/x", "https://example.com/café",
        "sub-domain.example.com/x", "EXAMPLE.COM", "https://example.com/#frag", "example.com.", "https://xn--bcher-kva.de/x",
        "https://user@example.org/p", "https://example.org/a/../b/./c", "https://example.org/?", "http://localhost/x",
        "example.test", "https://example.com/it's", "https://ÉXAMPLE.com/x", "www.example.com", "example.co",
        "northwind.example/signup", "https://northwind.com/holiday?ref=launch", "https://example.com/%41%zz",
        "https://1.2.3.4/x", "https://example.com/a{b}c", "https://example.com/a\"b", "mailto:hello@example.com",
        "hello@example.com", "https://example.com/path.", "https://example.com/path)", "(https://example.com/p)",
        "https://example.com/ÄÖÜ?q=ä", "example.com/路径", "https://sub.example.co.jp/a-b_c~d",
    ];

    private static readonly string[] Mentions =
    [
        "@bob", "@bob.bsky.social", "@alice.example.com", "@bob.bsky", "@user_name", "@bob.bsky.social\u0301",
        "@Bob.Bsky.Social", "@x.test", "\uFF20fullwidth", "@bob/list-name", "RT @bob", "@bob.bsky.socialRegister",
        "@a-b.example.org", "@very_long_screen_name_over_twenty", "@bob.com.", "(@bob.bsky.social)", "@bob@mastodon.social",
        "@bo\u0301b.bsky.social",
    ];

    private static readonly string[] Tags =
    [
        "#launch", "#Été", "#2026", "#tag!", "#日本語", "#🎉", "#a_b", "\uFF03full", "#launchhttps://example.com", "#tag#tag2",
        "#\uFE0Ftag", "#SummerSale2026", "#sale.", "#C++", "#under_score", "#مرحبا", "#Привет", "#e\u0301te\u0301",
        "#" + new string('a', 70), "#tag\u200Bafter", "#a&b", "&#38;", "#x\u20E3",
    ];

    private static readonly string[] Cashtags = ["$TWTR", "$AAPL.", "$BRK.A", "$abc", "$TOOLONG", "($GOOG)", "$a1b2", "$X", "$100"];

    private static readonly string[] Separators =
    [
        " ", " ", " ", " ", " ", "", "\n", "\n\n", "\u00A0", "\u200B", "\u200E", "\u200F", "\u202B", "\u061C", "\u3000", "\t", ", ", ". ", " - ",
    ];

    private static readonly string[] Wrappers = ["(", ")", ".", ",", "!", "?", ":", "“", "”", "\"", "'", "…", "...", ");"];

    /// <summary>Hard cases written out, each one a rule that a simpler implementation gets wrong.</summary>
    public static readonly string[] HandPicked =
    [
        "Noël e\u0301www.brand.co.uk/a/b",
        "Приветwww.brand.co.uk/a/b",
        "日本www.brand.co.uk/a/b",
        "Save at northwind.com/holiday?ref=launch today",
        "Our link:https://example.com/x and (https://example.com/y) and https://example.com/z.",
        "Tag run #launchhttps://example.com/x end",
        "Meet @bob.bsky.socialRegister now and @bob.bsky too",
        "$TWTR and $AAPL, but not $TOOLONG",
        "emoji-glued🎉https://example.com/x and ✨example.com/y",
        "right.한국 and café.example.com/x",
        "See \u200Fhttps://example.com/rtl and \u202Bexample.org/x\u202C",
        "A link to https://www.example.com/blog/delivery-routes?utm_source=bluesky&utm_medium=social today",
        "#️⃣ keycap, 1️⃣ one, ©️ and © alone",
        "Two links https://a.example.com/x https://b.example.com/y",
        "   ",
        "",
    ];

    /// <summary>The whole corpus: the hand-picked cases, then <paramref name="count"/> drawn texts.</summary>
    public static IReadOnlyList<string> Generate(int count = 600)
    {
        var random = new Random(Seed);
        var texts = new List<string>(HandPicked);
        for (var n = 0; n < count; n++)
        {
            var text = new StringBuilder();
            var pieces = random.Next(1, 12);
            for (var p = 0; p < pieces; p++)
            {
                if (p > 0) text.Append(Pick(random, Separators));
                var piece = random.Next(10) switch
                {
                    0 or 1 or 2 => Pick(random, Words),
                    3 => Pick(random, Emoji),
                    4 or 5 => Pick(random, Links),
                    6 => Pick(random, Mentions),
                    7 => Pick(random, Tags),
                    8 => Pick(random, Cashtags),
                    _ => Pick(random, Words) + Pick(random, Emoji),
                };
                // Now and then punctuation glued before or after, as around links in sentences.
                if (random.Next(5) == 0) piece = Pick(random, Wrappers) + piece;
                if (random.Next(4) == 0) piece += Pick(random, Wrappers);
                text.Append(piece);
            }
            // Some texts long enough to pass X's 280 and Bluesky's 300.
            var result = text.ToString();
            if (random.Next(15) == 0) result = string.Join(' ', Enumerable.Repeat(result, 1 + 300 / Math.Max(1, result.Length)));
            texts.Add(result);
        }
        return texts;
    }

    private static string Pick(Random random, string[] from) => from[random.Next(from.Length)];
}
