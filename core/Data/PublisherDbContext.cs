using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Analytics;
using Publisher.Core.Domain;

namespace Publisher.Core.Data;

public class PublisherDbContext(DbContextOptions<PublisherDbContext> options)
    : IdentityDbContext<AppUser>(options), IDataProtectionKeyContext
{
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<Variant> Variants => Set<Variant>();
    public DbSet<ChannelAccount> ChannelAccounts => Set<ChannelAccount>();
    public DbSet<Campaign> Campaigns => Set<Campaign>();
    public DbSet<Approval> Approvals => Set<Approval>();
    public DbSet<Comment> Comments => Set<Comment>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<Brand> Brands => Set<Brand>();
    public DbSet<ChannelTemplateVersion> ChannelTemplateVersions => Set<ChannelTemplateVersion>();
    public DbSet<StyleGuideVersion> StyleGuideVersions => Set<StyleGuideVersion>();
    public DbSet<WarningAcceptance> WarningAcceptances => Set<WarningAcceptance>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<PublishAttempt> PublishAttempts => Set<PublishAttempt>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<PublishWorker> PublishWorkers => Set<PublishWorker>();
    public DbSet<ConnectAttempt> ConnectAttempts => Set<ConnectAttempt>();
    public DbSet<OAuthAppRegistration> OAuthAppRegistrations => Set<OAuthAppRegistration>();
    public DbSet<MediaAsset> MediaAssets => Set<MediaAsset>();
    public DbSet<MessageMedia> MessageMedia => Set<MessageMedia>();
    public DbSet<MediaDerivative> MediaDerivatives => Set<MediaDerivative>();
    public DbSet<MediaUpload> MediaUploads => Set<MediaUpload>();
    public DbSet<MediaBlob> MediaBlobs => Set<MediaBlob>();
    public DbSet<MediaBlobChunk> MediaBlobChunks => Set<MediaBlobChunk>();

    public DbSet<TrackedLink> TrackedLinks => Set<TrackedLink>();
    public DbSet<Click> Clicks => Set<Click>();
    public DbSet<PageView> PageViews => Set<PageView>();
    public DbSet<Conversion> Conversions => Set<Conversion>();
    public DbSet<NewsletterUnsubscribe> NewsletterUnsubscribes => Set<NewsletterUnsubscribe>();
    public DbSet<EngagementSnapshot> EngagementSnapshots => Set<EngagementSnapshot>();
    public DbSet<AnalyticsSettings> AnalyticsSettings => Set<AnalyticsSettings>();
    public DbSet<IngestKey> IngestKeys => Set<IngestKey>();
    public DbSet<AnalyticsIdentity> AnalyticsIdentities => Set<AnalyticsIdentity>();
    public DbSet<VisitorSalt> VisitorSalts => Set<VisitorSalt>();
    public DbSet<ChannelHour> ChannelHours => Set<ChannelHour>();
    public DbSet<VariantHour> VariantHours => Set<VariantHour>();
    public DbSet<ClickHour> ClickHours => Set<ClickHour>();
    public DbSet<ClickDay> ClickDays => Set<ClickDay>();
    public DbSet<AccountClickHour> AccountClickHours => Set<AccountClickHour>();
    public DbSet<VisitorDay> VisitorDays => Set<VisitorDay>();
    public DbSet<BlogViewHour> BlogViewHours => Set<BlogViewHour>();
    public DbSet<AnalyticsWatermark> AnalyticsWatermarks => Set<AnalyticsWatermark>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<Message>(m =>
        {
            m.Property(x => x.Title).HasMaxLength(300);
            m.Property(x => x.TimeZone).HasMaxLength(64);
            m.Property(x => x.Link).HasMaxLength(2048);
            m.Property(x => x.Fingerprint).HasMaxLength(64);
            m.HasOne(x => x.Author).WithMany().HasForeignKey(x => x.AuthorId).OnDelete(DeleteBehavior.Restrict);
            m.HasOne(x => x.Campaign).WithMany().HasForeignKey(x => x.CampaignId).OnDelete(DeleteBehavior.SetNull);
            m.HasMany(x => x.Variants).WithOne(v => v.Message).HasForeignKey(v => v.MessageId);
            m.HasMany(x => x.Media).WithOne().HasForeignKey(a => a.MessageId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<MediaAsset>(a =>
        {
            a.HasIndex(x => x.Sha256).IsUnique();
            a.Property(x => x.Sha256).HasMaxLength(64);
            a.Property(x => x.PosterSha256).HasMaxLength(64);
            a.Property(x => x.FileName).HasMaxLength(200);
            a.Property(x => x.ContentType).HasMaxLength(100);
            a.Property(x => x.VideoCodec).HasMaxLength(32);
            a.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
            a.HasIndex(x => x.UploadedAt);
            a.HasOne<AppUser>().WithMany().HasForeignKey(x => x.UploadedById).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<MessageMedia>(a =>
        {
            a.HasIndex(x => new { x.MessageId, x.Position });
            a.HasIndex(x => x.MediaAssetId);
            // An asset in use cannot disappear under a message: deleting it is refused while attachments point at it.
            a.HasOne(x => x.Asset).WithMany().HasForeignKey(x => x.MediaAssetId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<MediaDerivative>(d =>
        {
            d.HasIndex(x => new { x.AssetId, x.Spec }).IsUnique();
            d.Property(x => x.Spec).HasMaxLength(300);
            d.Property(x => x.Sha256).HasMaxLength(64);
            d.Property(x => x.ContentType).HasMaxLength(100);
            d.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
            d.HasOne<MediaAsset>().WithMany().HasForeignKey(x => x.AssetId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<MediaUpload>(u =>
        {
            u.HasIndex(x => new { x.VariantId, x.MediaKey });
            u.Property(x => x.MediaKey).HasMaxLength(64);
            u.Property(x => x.NetworkMediaId).HasMaxLength(2000);
            u.HasOne<Variant>().WithMany().HasForeignKey(x => x.VariantId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<MediaBlob>(b =>
        {
            b.HasKey(x => x.Sha256);
            b.Property(x => x.Sha256).HasMaxLength(64);
            b.Property(x => x.ContentType).HasMaxLength(100);
            b.HasIndex(x => x.UploadId).IsUnique();
        });

        builder.Entity<MediaBlobChunk>(c => c.HasKey(x => new { x.UploadId, x.Sequence }));

        builder.Entity<Variant>(v =>
        {
            v.Property(x => x.State).HasConversion<string>().HasMaxLength(32);
            v.Property(x => x.Version).IsRowVersion();
            v.Property(x => x.ContentHash).HasMaxLength(64);
            v.HasIndex(x => new { x.MessageId, x.ChannelAccountId }).IsUnique();
            v.HasIndex(x => new { x.State, x.ScheduledAt });
            v.HasOne(x => x.ChannelAccount).WithMany().HasForeignKey(x => x.ChannelAccountId).OnDelete(DeleteBehavior.Restrict);
            v.HasMany(x => x.Approvals).WithOne().HasForeignKey(a => a.VariantId);
            v.HasMany(x => x.Comments).WithOne().HasForeignKey(c => c.VariantId);
            v.HasMany(x => x.WarningAcceptances).WithOne().HasForeignKey(w => w.VariantId);
            v.HasMany(x => x.PublishAttempts).WithOne().HasForeignKey(a => a.VariantId);
            v.Property(x => x.FacetsJson).HasColumnType("jsonb");
            v.Property(x => x.RenderDiagnosticsJson).HasColumnType("jsonb");
            v.Property(x => x.StyleFindingsJson).HasColumnType("jsonb");
            v.Property(x => x.LinksJson).HasColumnType("jsonb");
            v.OwnsOne(x => x.LinkCard, c =>
            {
                c.ToJson();
                c.Property(x => x.Thumb).HasConversion<string>();
            });
            v.OwnsOne(x => x.LinkCardImage, c => c.ToJson());
            v.OwnsOne(x => x.LinkCardSnapshot, c => c.ToJson());
            v.OwnsMany(x => x.Media, m =>
            {
                m.ToTable("VariantMedia");
                m.WithOwner().HasForeignKey("VariantId");
                m.HasKey("VariantId", nameof(VariantMedia.Position));
                // The position is the medium's place in the post (0, 1, …), set by the planner. Left to conventions, an
                // int in an owned key became an identity column: the first medium's 0 read as "not set" and took the
                // sequence's next number, which collided with the second medium's 1, so a variant with two media failed to save.
                m.Property(x => x.Position).ValueGeneratedNever();
                m.Property(x => x.Key).HasMaxLength(64);
                m.Property(x => x.PosterKey).HasMaxLength(64);
                m.Property(x => x.ContentType).HasMaxLength(100);
                m.Property(x => x.FileName).HasMaxLength(200);
                m.Property(x => x.VideoCodec).HasMaxLength(32);
                m.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
                m.HasIndex(x => x.AssetId);
            });
        });

        builder.Entity<ChannelAccount>(c =>
        {
            c.Property(x => x.Name).HasMaxLength(200);
            c.Property(x => x.Kind).HasMaxLength(32);
            c.HasIndex(x => x.Name).IsUnique();
            c.Property(x => x.SettingsJson).HasColumnType("jsonb");
            c.Property(x => x.TrackLinks).HasDefaultValue(true);
            c.Property(x => x.ConnectedWith).HasMaxLength(32);
            c.Property(x => x.ExternalId).HasMaxLength(300);
            c.Property(x => x.ReconnectReason).HasMaxLength(500);
            // The refresh job looks for tokens coming to their end.
            c.HasIndex(x => x.TokenExpiresAt).HasFilter("\"ConnectedWith\" IS NOT NULL");
        });

        builder.Entity<ConnectAttempt>(a =>
        {
            a.HasIndex(x => x.StateHash).IsUnique();
            a.Property(x => x.StateHash).HasMaxLength(64);
            a.Property(x => x.BrowserHash).HasMaxLength(64);
            a.Property(x => x.Network).HasMaxLength(32);
            a.Property(x => x.Instance).HasMaxLength(300);
            a.Property(x => x.RedirectUri).HasMaxLength(2048);
            a.HasIndex(x => x.ExpiresAt);
        });

        builder.Entity<OAuthAppRegistration>(r =>
        {
            r.Property(x => x.Network).HasMaxLength(32);
            r.Property(x => x.Instance).HasMaxLength(300);
            r.Property(x => x.RedirectUri).HasMaxLength(2048);
            r.Property(x => x.Scopes).HasMaxLength(300);
            r.Property(x => x.ClientId).HasMaxLength(300);
            r.HasIndex(x => new { x.Network, x.Instance, x.RedirectUri, x.Scopes }).IsUnique();
        });

        builder.Entity<PublishAttempt>(a =>
        {
            a.Property(x => x.Outcome).HasConversion<string>().HasMaxLength(16);
            a.Property(x => x.ContentHash).HasMaxLength(64);
            a.Property(x => x.IdempotencyKey).HasMaxLength(200);
            a.HasIndex(x => new { x.VariantId, x.Number }).IsUnique();
            a.HasIndex(x => x.FinishedAt);
            // The open attempts of one worker: what is taken over when its heartbeat stops.
            a.HasIndex(x => x.Worker).HasFilter("\"FinishedAt\" IS NULL");
        });

        builder.Entity<PublishWorker>(w =>
        {
            w.HasKey(x => x.Name);
            w.Property(x => x.Name).HasMaxLength(200);
        });

        builder.Entity<Campaign>(c =>
        {
            c.Property(x => x.Name).HasMaxLength(200);
            c.Property(x => x.UtmCampaign).HasMaxLength(200);
            c.HasIndex(x => x.Name).IsUnique();
        });

        builder.Entity<Approval>(a =>
        {
            a.Property(x => x.Decision).HasConversion<string>().HasMaxLength(16);
            a.Property(x => x.ContentHash).HasMaxLength(64);
            a.HasOne(x => x.Approver).WithMany().HasForeignKey(x => x.ApproverId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Comment>(c =>
            c.HasOne(x => x.Author).WithMany().HasForeignKey(x => x.AuthorId).OnDelete(DeleteBehavior.Restrict));

        builder.Entity<AuditEvent>(a =>
        {
            a.ToTable("AuditEvents");
            a.HasIndex(x => x.At);
            a.HasIndex(x => new { x.EntityType, x.EntityId });
        });

        builder.Entity<AppUser>(u => u.HasIndex(x => x.CalendarFeedTokenHash).IsUnique());

        builder.Entity<Brand>(b => b.Property(x => x.Id).ValueGeneratedNever());

        builder.Entity<ChannelTemplateVersion>(t =>
        {
            t.Property(x => x.Kind).HasMaxLength(32);
            t.HasIndex(x => new { x.Kind, x.Number }).IsUnique();
        });

        builder.Entity<StyleGuideVersion>(g => g.HasIndex(x => x.Number).IsUnique());

        builder.Entity<WarningAcceptance>(w => w.HasIndex(x => new { x.VariantId, x.FindingKey }).IsUnique());

        ConfigureAnalytics(builder);

        builder.Entity<Notification>(n =>
        {
            n.HasIndex(x => new { x.UserId, x.ReadAt });
            n.Property(x => x.GroupKey).HasMaxLength(100);
            n.HasIndex(x => new { x.GroupKey, x.ReadAt });
            n.HasOne<AppUser>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    /// <summary>
    /// The analytics tables. Clicks and PageViews are partitioned by month in the migration (raw SQL), with BRIN
    /// indexes on time; EF maps them like any table. The hour tables are the dashboard's rollups.
    /// </summary>
    private static void ConfigureAnalytics(ModelBuilder builder)
    {
        builder.Entity<TrackedLink>(l =>
        {
            l.HasKey(x => x.Code);
            l.Property(x => x.Code).HasMaxLength(16);
            l.Property(x => x.Destination).HasMaxLength(4096);
            l.HasIndex(x => x.VariantId);
            l.HasOne<Variant>().WithMany().HasForeignKey(x => x.VariantId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Click>(c =>
        {
            c.HasKey(x => new { x.Id, x.At });
            c.Property(x => x.Code).HasMaxLength(16);
            c.Property(x => x.ReferrerHost).HasMaxLength(255);
            c.Property(x => x.ReceivedAt).HasDefaultValueSql("clock_timestamp()");
            // The rollups read "the next rows after (ReceivedAt, Id)" in that order: one ordered index range scan per
            // partition, however many events the table holds.
            c.HasIndex(x => new { x.ReceivedAt, x.Id });
        });

        builder.Entity<PageView>(p =>
        {
            p.HasKey(x => new { x.Id, x.At });
            p.Property(x => x.VisitorId).HasMaxLength(64);
            p.Property(x => x.Host).HasMaxLength(255);
            p.Property(x => x.Path).HasMaxLength(512);
            p.Property(x => x.UtmSource).HasMaxLength(60);
            p.Property(x => x.UtmMedium).HasMaxLength(60);
            p.Property(x => x.UtmCampaign).HasMaxLength(100);
            p.Property(x => x.ReferrerHost).HasMaxLength(255);
            p.Property(x => x.ReceivedAt).HasDefaultValueSql("clock_timestamp()");
            p.HasIndex(x => new { x.ReceivedAt, x.Id });
            p.HasIndex(x => x.VisitorId);
            // The rollups find who a click id belongs to before the visit that carries it is counted (see AnalyticsRollups.LinkAheadAsync).
            p.HasIndex(x => x.ClickId).HasFilter("\"ClickId\" IS NOT NULL");
        });

        builder.Entity<Conversion>(c =>
        {
            c.Property(x => x.EventId).HasMaxLength(200);
            c.Property(x => x.Value).HasPrecision(18, 4);
            c.Property(x => x.Currency).HasMaxLength(3);
            c.Property(x => x.VisitorId).HasMaxLength(64);
            c.Property(x => x.EmailSha256).HasMaxLength(64);
            c.Property(x => x.Source).HasMaxLength(8);
            c.Property(x => x.ReceivedAt).HasDefaultValueSql("clock_timestamp()");
            c.HasIndex(x => new { x.Kind, x.EventId }).IsUnique();
            c.HasIndex(x => new { x.ReceivedAt, x.Id });
            c.HasIndex(x => x.At);
            // The rollups join a conversion's person through events not counted yet, by each of its keys (see AnalyticsRollups.LinkAheadAsync).
            c.HasIndex(x => x.EmailSha256).HasFilter("\"EmailSha256\" IS NOT NULL");
            c.HasIndex(x => x.VisitorId).HasFilter("\"VisitorId\" IS NOT NULL");
            c.HasIndex(x => x.ClickId).HasFilter("\"ClickId\" IS NOT NULL");
        });

        builder.Entity<NewsletterUnsubscribe>(u => u.HasIndex(x => x.VariantId));

        builder.Entity<EngagementSnapshot>(e =>
        {
            e.Property(x => x.ExternalId).HasMaxLength(300);
            e.Property(x => x.Raw).HasColumnType("jsonb");
            e.HasIndex(x => new { x.VariantId, x.FetchedAt });
            e.HasIndex(x => new { x.ExternalId, x.FetchedAt });
        });

        builder.Entity<AnalyticsSettings>(s =>
        {
            s.Property(x => x.Id).ValueGeneratedNever();
            s.ToTable("AnalyticsSettings", t => t.HasCheckConstraint("CK_AnalyticsSettings_Singleton", "\"Id\" = 1"));
        });

        builder.Entity<IngestKey>(k =>
        {
            k.Property(x => x.Name).HasMaxLength(200);
            k.Property(x => x.Prefix).HasMaxLength(16);
            k.Property(x => x.KeyHash).HasMaxLength(64);
            k.HasIndex(x => x.KeyHash).IsUnique();
        });

        builder.Entity<AnalyticsIdentity>(i =>
        {
            i.HasKey(x => x.Key);
            i.Property(x => x.Key).HasMaxLength(100);
            i.HasIndex(x => x.PersonId);
        });

        builder.Entity<VisitorSalt>(s => s.HasKey(x => x.Day));

        builder.Entity<ChannelHour>(h =>
        {
            h.HasKey(x => new { x.Hour, x.Channel, x.Kind, x.Currency });
            h.Property(x => x.Channel).HasMaxLength(80);
            h.Property(x => x.Currency).HasMaxLength(3);
            h.Property(x => x.FirstTouchRevenue).HasPrecision(20, 6);
            h.Property(x => x.LastTouchRevenue).HasPrecision(20, 6);
            h.Property(x => x.LinearRevenue).HasPrecision(20, 6);
            h.Property(x => x.PositionBasedRevenue).HasPrecision(20, 6);
        });

        builder.Entity<VariantHour>(h =>
        {
            h.HasKey(x => new { x.Hour, x.VariantId, x.Kind, x.Currency });
            h.Property(x => x.Currency).HasMaxLength(3);
            h.Property(x => x.FirstTouchRevenue).HasPrecision(20, 6);
            h.Property(x => x.LastTouchRevenue).HasPrecision(20, 6);
            h.Property(x => x.LinearRevenue).HasPrecision(20, 6);
            h.Property(x => x.PositionBasedRevenue).HasPrecision(20, 6);
            h.HasIndex(x => new { x.VariantId, x.Hour });
        });

        builder.Entity<ClickHour>(h =>
        {
            h.HasKey(x => new { x.Hour, x.VariantId });
            h.HasIndex(x => new { x.VariantId, x.Hour });
            h.HasIndex(x => new { x.ChannelAccountId, x.Hour });
        });

        builder.Entity<ClickDay>(d =>
        {
            d.HasKey(x => new { x.Day, x.VariantId });
            d.HasIndex(x => new { x.VariantId, x.Day });
        });

        builder.Entity<AccountClickHour>(h => h.HasKey(x => new { x.ChannelAccountId, x.Hour }));

        builder.Entity<VisitorDay>(d => d.HasKey(x => new { x.Day, x.ChannelAccountId, x.VisitorHash }));

        builder.Entity<BlogViewHour>(b =>
        {
            b.HasKey(x => new { x.Hour, x.Slug });
            b.Property(x => x.Slug).HasMaxLength(200);
            b.HasIndex(x => new { x.Slug, x.Hour });
        });

        builder.Entity<AnalyticsWatermark>(w =>
        {
            w.HasKey(x => x.Name);
            w.Property(x => x.Name).HasMaxLength(40);
            w.Property(x => x.LastId).HasMaxLength(40);
        });
    }
}
