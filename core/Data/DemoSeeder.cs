using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Composition;
using Publisher.Core.Domain;
using Publisher.Templates.Model;
using Publisher.Core.Workflow;

namespace Publisher.Core.Data;

/// <summary>A demo user the seeding created, with the password to sign in with.</summary>
public sealed record DemoUser(string Email, string Role, string Password);

/// <summary>
/// Fills an empty database with a demo brand: a user per role, channel accounts that publish to the
/// built-in demo destination, a campaign and a week of messages. It runs once: a database that already
/// has a brand is left alone.
/// </summary>
public sealed class DemoSeeder(PublisherDbContext db, UserManager<AppUser> users, RoleManager<IdentityRole> roles, VariantComposer composer, TimeProvider clock)
{
    public const string BrandTimeZone = "Europe/Paris";

    /// <summary>Creates the roles (always) and the demo data (once). Returns the demo users created now, or none.</summary>
    public async Task<IReadOnlyList<DemoUser>> SeedAsync(CancellationToken cancellationToken = default)
    {
        await DatabaseInitializer.SeedEssentialsAsync(db, roles, clock, cancellationToken);
        if (await db.Brands.AnyAsync(cancellationToken))
            return [];

        db.Brands.Add(new Brand { Id = 1, Name = "Northwind Coffee", TimeZone = BrandTimeZone, LogoText = "Northwind" });

        var created = new List<DemoUser>();
        async Task<AppUser> AddUser(string email, string name, params string[] userRoles)
        {
            var password = "Demo-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)) + "1";
            var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name };
            Check(await users.CreateAsync(user, password), $"create {email}");
            Check(await users.AddToRolesAsync(user, userRoles), $"give {email} its roles");
            created.Add(new DemoUser(email, string.Join(", ", userRoles), password));
            return user;
        }

        await AddUser("admin@demo.publisher.local", "Ada Admin", Roles.Admin);
        await AddUser("brand@demo.publisher.local", "Bea Brand", Roles.BrandManager);
        var marketer = await AddUser("marketer@demo.publisher.local", "Max Marketer", Roles.Marketer);
        var approver = await AddUser("approver@demo.publisher.local", "Ava Approver", Roles.Approver);

        var now = clock.GetUtcNow();
        ChannelAccount Account(string name, string kind, string handle, string color, bool threads = false) => new()
        {
            Name = name, Kind = kind, Handle = handle, Color = color, AllowThreads = threads, IsDemo = true, CreatedAt = now,
        };
        var accounts = new[]
        {
            Account("Northwind on X", "X", "@northwindcoffee", "#111827"),
            Account("Northwind on Mastodon", "Mastodon", "@northwind@coffee.social", "#6364ff", threads: true),
            Account("Northwind on Bluesky", "Bluesky", "@northwind.bsky.social", "#0085ff"),
            Account("Northwind on LinkedIn", "LinkedIn", "Northwind Coffee Roasters", "#0a66c2"),
            Account("Northwind Facebook Page", "FacebookPage", "Northwind Coffee", "#1877f2"),
            Account("The Northwind Letter", "Email", "letter@northwind.example", "#b45309"),
            Account("Northwind Blog", "Blog", "blog", "#15803d"),
            Account("Northwind on Threads", "Threads", "@northwind.coffee", "#000000", threads: true),
            Account("Northwind on Instagram", "Instagram", "@northwind.coffee", "#c13584"),
        };
        db.ChannelAccounts.AddRange(accounts);

        var zone = TimeZoneInfo.FindSystemTimeZoneById(BrandTimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).Date);
        var campaign = new Campaign
        {
            Name = "Autumn Blend launch", UtmCampaign = "autumn-blend", Color = "#c2410c",
            StartsOn = today.AddDays(-2), EndsOn = today.AddDays(12),
        };
        db.Campaigns.Add(campaign);

        DateTimeOffset At(int days, int hour) =>
            new(TimeZoneInfo.ConvertTimeToUtc(today.AddDays(days).ToDateTime(new TimeOnly(hour, 0)), zone), TimeSpan.Zero);

        var messages = new List<(Message Message, ChannelAccount[] On, VariantState State, DateTimeOffset At)>();
        void AddMessage(string title, string body, string link, int days, int hour, VariantState state, params ChannelAccount[] on)
        {
            var message = new Message
            {
                Title = title, BodyMarkdown = body, Link = link, AuthorId = marketer.Id, TimeZone = BrandTimeZone,
                Summary = body.Split('\n')[0], CallToAction = "Order now", Hashtags = ["coffee", "autumn"],
                CampaignId = campaign.Id, KeyFacts = [], CreatedAt = now, UpdatedAt = now, PlannedAt = At(days, hour),
            };
            db.Messages.Add(message);
            messages.Add((message, on, state, At(days, hour)));
        }

        AddMessage("Autumn Blend is here", "Our Autumn Blend is back: notes of fig, cocoa and toasted hazelnut.", "https://northwind.example/autumn", 0, 9,
            VariantState.Scheduled, accounts[0], accounts[1], accounts[3]);
        // Goes out a few minutes after the first start, so the demo shows the worker publishing.
        var soon = now.AddMinutes(5);
        messages[^1] = messages[^1] with { At = new DateTimeOffset(soon.Year, soon.Month, soon.Day, soon.Hour, soon.Minute, 0, TimeSpan.Zero) };
        messages[^1].Message.PlannedAt = messages[^1].At;
        AddMessage("Brewing guide: the perfect pour-over", "Five steps to a clean, sweet cup at home.", "https://northwind.example/guides/pour-over", 1, 13,
            VariantState.InReview, accounts[0], accounts[2], accounts[4], accounts[7]);
        AddMessage("Roastery open day", "Visit the roastery on Saturday: tastings every hour from 10:00.", "https://northwind.example/open-day", 3, 10,
            VariantState.Draft, accounts[3], accounts[5], accounts[6], accounts[8]);
        AddMessage("Meet our growers", "This season's beans come from three family farms in Huila, Colombia.", "https://northwind.example/growers", -1, 11,
            VariantState.Published, accounts[0], accounts[6]);
        AddMessage("Subscription update", "Subscribers now choose their delivery day.", "https://northwind.example/subscribe", 6, 9,
            VariantState.Approved, accounts[1], accounts[5], accounts[7]);

        await db.SaveChangesAsync(cancellationToken);

        // Every demo variant is rendered and checked the way a real one is, so what the calendar and
        // the previews show is what the templates and the style guide make of it.
        var context = await composer.LoadContextAsync(cancellationToken);
        var campaignInput = new CampaignInput(campaign.Name, campaign.UtmCampaign);
        foreach (var (message, on, state, at) in messages)
        {
            foreach (var account in on)
            {
                var variant = new Variant { MessageId = message.Id, ChannelAccountId = account.Id, State = state, ScheduledAt = at, UpdatedAt = now, LastEditedById = marketer.Id };
                composer.Apply(context, variant, message, account, composer.Render(context, variant.Id, message, account, campaignInput, marketer.DisplayName, cancellationToken), []);
                if (state is VariantState.Approved or VariantState.Scheduled or VariantState.Published)
                {
                    // Approved as it stands, as a real approval would be; the worker's sweep gives scheduled ones their job.
                    db.Approvals.Add(new Approval
                    {
                        VariantId = variant.Id, ApproverId = approver.Id, ContentHash = variant.ContentHash, ContentText = variant.EffectiveText,
                        Decision = ApprovalDecision.Approved, Role = Roles.Approver, At = now,
                    });
                }
                if (state == VariantState.Scheduled)
                    variant.ScheduleToken = Guid.NewGuid();
                if (state == VariantState.Published)
                {
                    variant.PublishedAt = at;
                    variant.ExternalId = account.Kind == "Blog" ? Templates.Rendering.Slugs.FromTitle(message.Title) : $"demo-{variant.Id:N}";
                }
                db.Variants.Add(variant);
            }
        }
        await db.SaveChangesAsync(cancellationToken);

        // Ninety days of history, so the analytics dashboard has something to show on the first run.
        // Instagram takes no post without an image and the demo has none, so its history leaves Instagram out.
        await new Analytics.AnalyticsDemoData(db, composer, clock).SeedAsync(accounts.Where(a => a.Kind != "Instagram").ToList(), marketer, approver, cancellationToken);
        return created;
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException($"Could not {what}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
    }
}
