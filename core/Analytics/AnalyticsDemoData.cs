using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Publisher.Analytics.Events;
using Publisher.Analytics.Traffic;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Templates.Model;

namespace Publisher.Core.Analytics;

/// <summary>
/// Ninety days of a living history for the demo brand: published messages with their tracked links, and clicks,
/// visits, contacts, qualified leads, sales, blog views and network engagement drawn from a small random model with a
/// fixed seed (so every demo looks the same). Clicks fade in the days after a post, peak at the hours people read,
/// and some visitors come back through another channel before they buy. A real installation never gets any of it.
/// </summary>
public sealed class AnalyticsDemoData(PublisherDbContext db, VariantComposer composer, TimeProvider clock)
{
    public const int Days = 90;
    private const int Seed = 14;
    private const string Site = "northwind.example";

    private sealed record Topic(string Title, string Body, string Path, Campaign? Campaign);

    /// <summary>How each kind of channel draws clicks, and where its visitors say they came from.</summary>
    private static (double Clicks, double HalfLifeHours, string? Referrer) Traits(string kind) => kind switch
    {
        "X" => (70, 10, "t.co"),
        "Mastodon" => (35, 14, "mastodon.social"),
        "Bluesky" => (45, 12, "bsky.app"),
        "LinkedIn" => (60, 30, "www.linkedin.com"),
        "FacebookPage" => (55, 20, "l.facebook.com"),
        "Threads" => (30, 10, "l.threads.net"),
        "Email" => (140, 8, null),
        "Blog" => (30, 72, null),
        _ => (10, 12, null),
    };

    public async Task SeedAsync(IReadOnlyList<ChannelAccount> accounts, AppUser author, AppUser approver, CancellationToken cancellationToken = default)
    {
        var random = new Random(Seed);
        var now = clock.GetUtcNow();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(DemoSeeder.BrandTimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).Date);

        var summer = new Campaign { Name = "Cold brew summer", UtmCampaign = "cold-brew", Color = "#0e7490", StartsOn = today.AddDays(-88), EndsOn = today.AddDays(-55) };
        var origins = new Campaign { Name = "Single-origin stories", UtmCampaign = "origins", Color = "#7e22ce", StartsOn = today.AddDays(-50), EndsOn = today.AddDays(-10) };
        db.Campaigns.AddRange(summer, origins);
        Topic[] topics =
        [
            new("Cold brew, done right", "Twelve hours, cold water, coarse grounds: our guide to a smooth cold brew.", "/guides/cold-brew", summer),
            new("Iced latte week", "Every iced latte is half price until Sunday.", "/offers/iced-latte", summer),
            new("Meet the Ethiopian harvest", "Bright, floral, a hint of bergamot: our new Yirgacheffe.", "/coffee/yirgacheffe", origins),
            new("From farm to cup: Huila", "How the Ortiz family grows the beans in our house blend.", "/stories/huila", origins),
            new("Grinder guide", "Burr or blade? What grind size for which brew? Our short guide.", "/guides/grinders", null),
            new("Subscribe and save 15%", "Fresh beans every two weeks, delivered, 15% off.", "/subscribe", null),
            new("Barista workshop", "Learn latte art at the roastery: Saturday mornings, six places.", "/workshops", null),
            new("Decaf that tastes like coffee", "Swiss water process, full flavour.", "/coffee/decaf", origins),
        ];

        // Published messages, every two or three days, each on three or four accounts.
        var context = await composer.LoadContextAsync(cancellationToken);
        var posts = new List<(Variant Variant, ChannelAccount Account, DateTimeOffset At)>();
        for (var day = Days - 2; day >= 2; day -= 2 + random.Next(2))
        {
            var topic = topics[random.Next(topics.Length)];
            var hour = new[] { 8, 9, 10, 12, 13, 17, 18 }[random.Next(7)];
            var local = today.AddDays(-day).ToDateTime(new TimeOnly(hour, random.Next(4) * 15));
            var at = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
            var message = new Message
            {
                Title = topic.Title, BodyMarkdown = topic.Body, Summary = topic.Body, Link = $"https://{Site}{topic.Path}", CallToAction = "Read more",
                Hashtags = ["coffee"], KeyFacts = [], AuthorId = author.Id, TimeZone = DemoSeeder.BrandTimeZone, CampaignId = topic.Campaign?.Id,
                PlannedAt = at, CreatedAt = at.AddDays(-2), UpdatedAt = at.AddDays(-1),
            };
            db.Messages.Add(message);
            var campaign = topic.Campaign is { } c ? new CampaignInput(c.Name, c.UtmCampaign) : null;
            foreach (var account in accounts.OrderBy(_ => random.Next()).Take(3 + random.Next(2)))
            {
                var variant = new Variant
                {
                    MessageId = message.Id, ChannelAccountId = account.Id, State = VariantState.Published, ScheduledAt = at, PublishedAt = at.AddSeconds(1),
                    UpdatedAt = at, LastEditedById = author.Id,
                };
                composer.Apply(context, variant, message, account, composer.Render(context, variant.Id, message, account, campaign, author.DisplayName, cancellationToken), []);
                variant.ExternalId = account.Kind == "Blog" ? $"{Templates.Rendering.Slugs.FromTitle(message.Title)}-{day}" : $"demo-{variant.Id:N}";
                db.Approvals.Add(new Approval
                {
                    VariantId = variant.Id, ApproverId = approver.Id, ContentHash = variant.ContentHash, ContentText = variant.EffectiveText,
                    Decision = ApprovalDecision.Approved, Role = Roles.Approver, At = at.AddHours(-20),
                });
                db.Variants.Add(variant);
                posts.Add((variant, account, at));
            }
        }
        await db.SaveChangesAsync(cancellationToken);

        var events = Simulate(random, posts, now, zone, context.Links?.PublicUrl);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
            await connection.OpenAsync(cancellationToken);
        await AnalyticsDatabase.EnsurePartitionsAsync(connection, now.AddDays(-Days - 31), 6, cancellationToken);
        await CopyAsync(connection, events, cancellationToken);

        // Count it all now, so the dashboard is alive on the first page.
        await using var database = new AnalyticsDatabase(db.Database.GetConnectionString()!);
        var rollups = new AnalyticsRollups(database, Options.Create(new AnalyticsOptions { SettleDelay = TimeSpan.Zero, RollupBatchSize = 50_000 }),
            Options.Create(new PublishingOptions { PublicUrl = context.Links?.PublicUrl ?? "http://127.0.0.1:5080" }), clock);
        await rollups.CatchUpAsync(TimeSpan.FromMinutes(10), cancellationToken);
    }

    private sealed class Simulated
    {
        public List<Click> Clicks { get; } = [];
        public List<PageView> Views { get; } = [];
        public List<Conversion> Conversions { get; } = [];
        public List<EngagementSnapshot> Engagement { get; } = [];
        public List<NewsletterUnsubscribe> Unsubscribes { get; } = [];
    }

    // People read in the morning, at lunch and in the evening.
    private static readonly double[] HourWeights =
        [0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.4, 2.0, 2.2, 1.8, 1.5, 1.9, 2.0, 1.4, 1.2, 1.2, 1.5, 1.9, 2.1, 2.0, 1.6, 1.0, 0.5];

    private static Simulated Simulate(Random random, List<(Variant Variant, ChannelAccount Account, DateTimeOffset At)> posts, DateTimeOffset now, TimeZoneInfo zone, string? publicUrl)
    {
        var result = new Simulated();
        var returning = Enumerable.Range(0, 600).Select(i => $"demo-v{i:D4}").ToArray();
        var blogHost = Uri.TryCreate(publicUrl, UriKind.Absolute, out var app) ? app.Host : "127.0.0.1";

        foreach (var (variant, account, at) in posts)
        {
            var (mean, halfLife, referrer) = Traits(account.Kind);
            var links = VariantLink.ListOf(variant.LinksJson);
            var clicks = (int)(mean * (0.5 + random.NextDouble()));
            for (var i = 0; i < clicks && links.Count > 0; i++)
            {
                var clickAt = at + TimeSpan.FromHours(-halfLife / Math.Log(2) * Math.Log(1 - random.NextDouble() * 0.999));
                clickAt = NudgeToReadingHours(random, clickAt, zone);
                if (clickAt >= now)
                    continue;
                var preview = random.NextDouble() < 0.12;
                var visitor = random.NextDouble() < 0.45 ? returning[random.Next(returning.Length)] : $"demo-n{result.Clicks.Count:D6}";
                var device = preview ? DeviceClass.Bot : random.NextDouble() switch { < 0.58 => DeviceClass.Mobile, < 0.95 => DeviceClass.Desktop, _ => DeviceClass.Tablet };
                var link = links[random.Next(links.Count)];
                var click = new Click
                {
                    Id = Guid.CreateVersion7(clickAt), At = clickAt, Code = link.Code, VariantId = variant.Id, ChannelAccountId = account.Id,
                    CampaignId = null, VisitorHash = preview ? null : DailyHash(visitor, clickAt), ReferrerHost = referrer, Device = (short)device, IsPreview = preview,
                };
                result.Clicks.Add(click);
                if (preview || random.NextDouble() > 0.8)
                    continue; // some never reach the site (closed the tab, blocked the script)
                var landing = clickAt.AddSeconds(2 + random.Next(5));
                Visit(result, random, landing, visitor, click.Id, null, Site, link.Destination, (short)device);
                // Blog articles are read on the blog itself.
                if (account.Kind == "Blog" && variant.ExternalId is { } slug)
                    result.Views.Add(View(landing.AddSeconds(-30), Guid.NewGuid(), visitor, false, blogHost, "/blog/" + slug, (short)device));
            }
            Engagement(result, random, variant, account, at, now, clicks);
        }

        // Visits from elsewhere: search ads and a partner's newsletter (tagged), and people who type the address (not).
        for (var day = Days; day >= 1; day--)
        {
            for (var i = random.Next(14, 26); i > 0; i--)
            {
                var at = NudgeToReadingHours(random, now.AddDays(-day).AddMinutes(random.Next(24 * 60)), zone);
                var visitor = random.NextDouble() < 0.3 ? returning[random.Next(returning.Length)] : $"demo-o{day:D3}-{i:D2}";
                var source = random.NextDouble() switch { < 0.45 => "google", < 0.6 => "coffee-weekly", _ => null };
                Visit(result, random, at, visitor, null, source, Site, $"https://{Site}/", (short)(random.NextDouble() < 0.6 ? DeviceClass.Mobile : DeviceClass.Desktop));
            }
        }
        return result;
    }

    /// <summary>A visit, and what may follow it: a contact, then (reported later by the CRM) a qualified lead and a sale.</summary>
    private static void Visit(Simulated result, Random random, DateTimeOffset at, string visitor, Guid? click, string? source, string host, string page, short device)
    {
        var session = Guid.NewGuid();
        var path = Uri.TryCreate(page, UriKind.Absolute, out var uri) ? uri.AbsolutePath : "/";
        var view = View(at, session, visitor, true, host, path, device);
        view.ClickId = click;
        view.UtmSource = source;
        view.UtmMedium = source switch { "google" => "cpc", "coffee-weekly" => "email", _ => null };
        result.Views.Add(view);
        for (var extra = random.Next(3); extra > 0; extra--)
            result.Views.Add(View(at.AddSeconds(30 + random.Next(300)), session, visitor, false, host, "/shop", device));
        if (random.NextDouble() > 0.075)
            return;
        var email = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(visitor + "@example.com")));
        var contactAt = at.AddMinutes(2 + random.Next(20));
        result.Conversions.Add(Conversion(ConversionKind.Contact, $"demo-contact-{session:N}", contactAt, 0, null, null, visitor, email, "site"));
        if (random.NextDouble() > 0.45)
            return;
        var qualifiedAt = contactAt.AddHours(6 + random.Next(96));
        result.Conversions.Add(Conversion(ConversionKind.Qualified, $"demo-lead-{session:N}", qualifiedAt, 0, null, null, null, email, "api"));
        if (random.NextDouble() > 0.55)
            return;
        var value = Math.Round(18m + (decimal)random.NextDouble() * 110m, 2);
        result.Conversions.Add(Conversion(ConversionKind.Sale, $"demo-order-{session:N}", qualifiedAt.AddHours(2 + random.Next(200)), value, "EUR", null, null, email, "api"));
    }

    private static void Engagement(Simulated result, Random random, Variant variant, ChannelAccount account, DateTimeOffset at, DateTimeOffset now, int clicks)
    {
        if (account.Kind is "Blog" or "Webhook")
            return;
        if (account.Kind == "Email")
        {
            var delivered = 1180 + random.Next(120);
            result.Engagement.Add(new EngagementSnapshot
            {
                VariantId = variant.Id, ChannelAccountId = account.Id, ExternalId = variant.ExternalId!, FetchedAt = at.AddMinutes(1), Deliveries = delivered,
            });
            for (var i = random.Next(4); i > 0; i--)
                result.Unsubscribes.Add(new NewsletterUnsubscribe { VariantId = variant.Id, At = at.AddHours(1 + random.Next(48)) });
            return;
        }
        // The readers' decaying schedule: 1 hour, 6 hours, a day, a week and a month after publishing.
        double[] growth = [0.35, 0.7, 0.9, 0.98, 1.0];
        TimeSpan[] after = [TimeSpan.FromHours(1), TimeSpan.FromHours(6), TimeSpan.FromDays(1), TimeSpan.FromDays(7), TimeSpan.FromDays(30)];
        var likes = (int)(clicks * (0.6 + random.NextDouble()));
        var reposts = (int)(likes * (0.1 + 0.2 * random.NextDouble()));
        var replies = (int)(likes * 0.08 * random.NextDouble());
        var quotes = account.Kind is "X" or "Bluesky" ? (int)(reposts * 0.2) : (int?)null;
        var impressions = account.Kind is "X" or "LinkedIn" or "FacebookPage" ? (long)(likes * (25 + random.Next(20))) : (long?)null;
        for (var i = 0; i < after.Length && at + after[i] < now; i++)
        {
            result.Engagement.Add(new EngagementSnapshot
            {
                VariantId = variant.Id, ChannelAccountId = account.Id, ExternalId = variant.ExternalId!, FetchedAt = at + after[i],
                Likes = (int)(likes * growth[i]), Reposts = (int)(reposts * growth[i]), Replies = (int)(replies * growth[i]),
                Quotes = quotes is { } q ? (int)(q * growth[i]) : null, Impressions = impressions is { } n ? (long)(n * growth[i]) : null,
                Raw = "{\"source\":\"demo\"}",
            });
        }
    }

    private static DateTimeOffset NudgeToReadingHours(Random random, DateTimeOffset at, TimeZoneInfo zone)
    {
        // Rejection sampling on the hour of the day: quiet hours keep few of their clicks.
        var hour = TimeZoneInfo.ConvertTime(at, zone).Hour;
        return random.NextDouble() * 2.2 < HourWeights[hour] ? at : at.AddHours(8 + random.Next(4));
    }

    private static long DailyHash(string visitor, DateTimeOffset at) =>
        BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{visitor}|{at.UtcDateTime:yyyy-MM-dd}")), 0);

    private static PageView View(DateTimeOffset at, Guid session, string visitor, bool starts, string host, string path, short device) => new()
    {
        Id = Guid.CreateVersion7(at), At = at, SessionId = session, VisitorId = visitor, VisitorHash = DailyHash(visitor, at), StartsSession = starts, Host = host, Path = path,
        Device = device,
    };

    private static Conversion Conversion(ConversionKind kind, string id, DateTimeOffset at, decimal value, string? currency, Guid? click, string? visitor, string? email, string source) => new()
    {
        EventId = id, Kind = (short)kind, At = at, Value = value, Currency = currency, ClickId = click, VisitorId = visitor, EmailSha256 = email, Source = source,
    };

    private async Task CopyAsync(NpgsqlConnection connection, Simulated events, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // Conversions later than now (a sale days after a recent visit) have not happened yet.
        var conversions = events.Conversions.Where(c => c.At < now).ToList();
        await using (var import = await connection.BeginBinaryImportAsync(
            "COPY \"Clicks\" (\"Id\", \"At\", \"Code\", \"VariantId\", \"ChannelAccountId\", \"VisitorHash\", \"ReferrerHost\", \"Device\", \"IsPreview\") FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var c in events.Clicks)
            {
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(c.Id, NpgsqlDbType.Uuid, cancellationToken);
                await import.WriteAsync(c.At, NpgsqlDbType.TimestampTz, cancellationToken);
                await import.WriteAsync(c.Code, NpgsqlDbType.Varchar, cancellationToken);
                await import.WriteAsync(c.VariantId, NpgsqlDbType.Uuid, cancellationToken);
                await import.WriteAsync(c.ChannelAccountId, NpgsqlDbType.Uuid, cancellationToken);
                if (c.VisitorHash is { } hash) await import.WriteAsync(hash, NpgsqlDbType.Bigint, cancellationToken); else await import.WriteNullAsync(cancellationToken);
                if (c.ReferrerHost is { } host) await import.WriteAsync(host, NpgsqlDbType.Varchar, cancellationToken); else await import.WriteNullAsync(cancellationToken);
                await import.WriteAsync(c.Device, NpgsqlDbType.Smallint, cancellationToken);
                await import.WriteAsync(c.IsPreview, NpgsqlDbType.Boolean, cancellationToken);
            }
            await import.CompleteAsync(cancellationToken);
        }
        await using (var import = await connection.BeginBinaryImportAsync(
            "COPY \"PageViews\" (\"Id\", \"At\", \"SessionId\", \"VisitorId\", \"VisitorHash\", \"StartsSession\", \"Host\", \"Path\", \"ClickId\", \"UtmSource\", \"UtmMedium\", \"Device\") FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var v in events.Views.Where(v => v.At < now))
            {
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(v.Id, NpgsqlDbType.Uuid, cancellationToken);
                await import.WriteAsync(v.At, NpgsqlDbType.TimestampTz, cancellationToken);
                await import.WriteAsync(v.SessionId, NpgsqlDbType.Uuid, cancellationToken);
                await import.WriteAsync(v.VisitorId!, NpgsqlDbType.Varchar, cancellationToken);
                await import.WriteAsync(v.VisitorHash!.Value, NpgsqlDbType.Bigint, cancellationToken);
                await import.WriteAsync(v.StartsSession, NpgsqlDbType.Boolean, cancellationToken);
                await import.WriteAsync(v.Host, NpgsqlDbType.Varchar, cancellationToken);
                await import.WriteAsync(v.Path, NpgsqlDbType.Varchar, cancellationToken);
                if (v.ClickId is { } click) await import.WriteAsync(click, NpgsqlDbType.Uuid, cancellationToken); else await import.WriteNullAsync(cancellationToken);
                if (v.UtmSource is { } source) await import.WriteAsync(source, NpgsqlDbType.Varchar, cancellationToken); else await import.WriteNullAsync(cancellationToken);
                if (v.UtmMedium is { } medium) await import.WriteAsync(medium, NpgsqlDbType.Varchar, cancellationToken); else await import.WriteNullAsync(cancellationToken);
                await import.WriteAsync(v.Device, NpgsqlDbType.Smallint, cancellationToken);
            }
            await import.CompleteAsync(cancellationToken);
        }
        db.Conversions.AddRange(conversions);
        db.EngagementSnapshots.AddRange(events.Engagement);
        db.NewsletterUnsubscribes.AddRange(events.Unsubscribes.Where(u => u.At < now));
        await db.SaveChangesAsync(cancellationToken);
    }
}
