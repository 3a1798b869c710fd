using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Domain;
using Publisher.StyleGuide;
using Publisher.Templates.Channels;
using Publisher.Templates.Rendering;

namespace Publisher.Core.Data;

public static class DatabaseInitializer
{
    /// <summary>Brings the schema up to date. Safe to call from several processes: migrations take a lock.</summary>
    public static Task MigrateAsync(PublisherDbContext db, CancellationToken cancellationToken = default) =>
        db.Database.MigrateAsync(cancellationToken);

    /// <summary>
    /// What every installation needs before anyone signs in, demo or not: the four roles, and the shipped
    /// templates and style guide (<see cref="SeedDefaultsAsync"/>). Safe to run on every start.
    /// </summary>
    public static async Task SeedEssentialsAsync(PublisherDbContext db, RoleManager<IdentityRole> roles, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        foreach (var role in Roles.All)
        {
            if (await roles.RoleExistsAsync(role))
                continue;
            var created = await roles.CreateAsync(new IdentityRole(role));
            if (!created.Succeeded)
                throw new InvalidOperationException($"Could not create the role {role}: {string.Join(" ", created.Errors.Select(e => e.Description))}");
        }
        await SeedDefaultsAsync(db, clock, cancellationToken);
        await StoreMessageFingerprintsAsync(db, cancellationToken);
    }

    /// <summary>
    /// Messages saved before their fingerprint was stored get it once, so hand edits made against an older message
    /// are marked on every list from the first start, not only after the message is saved again.
    /// </summary>
    public static async Task StoreMessageFingerprintsAsync(PublisherDbContext db, CancellationToken cancellationToken = default)
    {
        while (await db.Messages.Where(m => m.Fingerprint == null).OrderBy(m => m.Id).Take(500).ToListAsync(cancellationToken) is { Count: > 0 } batch)
        {
            foreach (var message in batch)
                message.Fingerprint = Composition.MessageFingerprint.Of(message);
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// Gives every channel kind its shipped template, and the brand the shipped style guide, as version 1
    /// where there is none yet. Brand managers change them from there; nothing here overwrites their work.
    /// </summary>
    public static async Task SeedDefaultsAsync(PublisherDbContext db, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var haveTemplates = await db.ChannelTemplateVersions.Select(t => t.Kind).Distinct().ToListAsync(cancellationToken);
        foreach (var kind in Enum.GetValues<ChannelKind>().Where(k => !haveTemplates.Contains(k.ToString())))
        {
            db.ChannelTemplateVersions.Add(new ChannelTemplateVersion
            {
                Kind = kind.ToString(), Number = 1, Source = DefaultTemplates.For(kind),
                CreatedByName = "Publisher (shipped template)", CreatedAt = now,
            });
        }

        if (!await db.StyleGuideVersions.AnyAsync(cancellationToken))
        {
            var guide = DefaultStyleGuide.Load();
            db.StyleGuideVersions.Add(new StyleGuideVersion
            {
                Number = 1, Yaml = StyleGuideYaml.Write(guide), VersionHash = StyleGuideYaml.ComputeVersion(guide),
                CreatedByName = "Publisher (shipped guide)", CreatedAt = now,
            });
        }
        await db.SaveChangesAsync(cancellationToken);
    }
}
