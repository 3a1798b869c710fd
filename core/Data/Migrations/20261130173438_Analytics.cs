using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Publisher.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class Analytics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LinksJson",
                table: "Variants",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "TrackLinks",
                table: "ChannelAccounts",
                type: "boolean",
                nullable: false,
                defaultValue: true);

            migrationBuilder.CreateTable(
                name: "AnalyticsIdentities",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    PersonId = table.Column<Guid>(type: "uuid", nullable: false),
                    LastSeenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AnalyticsIdentities", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "AnalyticsSettings",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    LinkKey = table.Column<byte[]>(type: "bytea", nullable: false),
                    LookbackDays = table.Column<int>(type: "integer", nullable: false),
                    RequireConsent = table.Column<bool>(type: "boolean", nullable: false),
                    SiteOrigins = table.Column<List<string>>(type: "text[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AnalyticsSettings", x => x.Id);
                    table.CheckConstraint("CK_AnalyticsSettings_Singleton", "\"Id\" = 1");
                });

            migrationBuilder.CreateTable(
                name: "AnalyticsWatermarks",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AnalyticsWatermarks", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "BlogViewHours",
                columns: table => new
                {
                    Hour = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Slug = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Views = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BlogViewHours", x => new { x.Hour, x.Slug });
                });

            migrationBuilder.CreateTable(
                name: "ChannelHours",
                columns: table => new
                {
                    Hour = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Channel = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    Kind = table.Column<short>(type: "smallint", nullable: false),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    FirstTouch = table.Column<double>(type: "double precision", nullable: false),
                    LastTouch = table.Column<double>(type: "double precision", nullable: false),
                    Linear = table.Column<double>(type: "double precision", nullable: false),
                    PositionBased = table.Column<double>(type: "double precision", nullable: false),
                    FirstTouchRevenue = table.Column<decimal>(type: "numeric(20,6)", precision: 20, scale: 6, nullable: false),
                    LastTouchRevenue = table.Column<decimal>(type: "numeric(20,6)", precision: 20, scale: 6, nullable: false),
                    LinearRevenue = table.Column<decimal>(type: "numeric(20,6)", precision: 20, scale: 6, nullable: false),
                    PositionBasedRevenue = table.Column<decimal>(type: "numeric(20,6)", precision: 20, scale: 6, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChannelHours", x => new { x.Hour, x.Channel, x.Kind, x.Currency });
                });

            migrationBuilder.CreateTable(
                name: "ClickHours",
                columns: table => new
                {
                    Hour = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    VariantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ChannelAccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    Clicks = table.Column<int>(type: "integer", nullable: false),
                    Previews = table.Column<int>(type: "integer", nullable: false),
                    Visitors = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ClickHours", x => new { x.Hour, x.VariantId });
                });

            // Clicks and page views grow fastest: they are partitioned by month (retention drops whole months) and
            // indexed on time with BRIN (tiny, and rows arrive in time order). EF knows them as ordinary tables.
            migrationBuilder.Sql("""
                CREATE TABLE "Clicks" (
                    "Id" uuid NOT NULL,
                    "At" timestamp with time zone NOT NULL,
                    "Code" character varying(16) NOT NULL,
                    "VariantId" uuid NOT NULL,
                    "ChannelAccountId" uuid NOT NULL,
                    "CampaignId" uuid NULL,
                    "VisitorHash" bigint NULL,
                    "ReferrerHost" character varying(255) NULL,
                    "Device" smallint NOT NULL,
                    "IsPreview" boolean NOT NULL,
                    "ReceivedAt" timestamp with time zone NOT NULL DEFAULT clock_timestamp(),
                    CONSTRAINT "PK_Clicks" PRIMARY KEY ("Id", "At")
                ) PARTITION BY RANGE ("At");
                CREATE INDEX "BRIN_Clicks_At" ON "Clicks" USING brin ("At");
                """);

            migrationBuilder.CreateTable(
                name: "Conversions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    EventId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Kind = table.Column<short>(type: "smallint", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "clock_timestamp()"),
                    Value = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: false),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: true),
                    ClickId = table.Column<Guid>(type: "uuid", nullable: true),
                    VisitorId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    EmailSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Source = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Conversions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "EngagementSnapshots",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    VariantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ChannelAccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    ExternalId = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    FetchedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Likes = table.Column<int>(type: "integer", nullable: true),
                    Reposts = table.Column<int>(type: "integer", nullable: true),
                    Replies = table.Column<int>(type: "integer", nullable: true),
                    Quotes = table.Column<int>(type: "integer", nullable: true),
                    Impressions = table.Column<long>(type: "bigint", nullable: true),
                    Clicks = table.Column<long>(type: "bigint", nullable: true),
                    Deliveries = table.Column<int>(type: "integer", nullable: true),
                    Unsubscribes = table.Column<int>(type: "integer", nullable: true),
                    Raw = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EngagementSnapshots", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "IngestKeys",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Prefix = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    KeyHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedByName = table.Column<string>(type: "text", nullable: false),
                    RevokedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastUsedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IngestKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "NewsletterUnsubscribes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    VariantId = table.Column<Guid>(type: "uuid", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NewsletterUnsubscribes", x => x.Id);
                });

            migrationBuilder.Sql("""
                CREATE TABLE "PageViews" (
                    "Id" uuid NOT NULL,
                    "At" timestamp with time zone NOT NULL,
                    "SessionId" uuid NOT NULL,
                    "VisitorId" character varying(64) NULL,
                    "VisitorHash" bigint NULL,
                    "StartsSession" boolean NOT NULL,
                    "Host" character varying(255) NOT NULL,
                    "Path" character varying(512) NOT NULL,
                    "ClickId" uuid NULL,
                    "UtmSource" character varying(60) NULL,
                    "UtmMedium" character varying(60) NULL,
                    "UtmCampaign" character varying(100) NULL,
                    "ReferrerHost" character varying(255) NULL,
                    "Device" smallint NOT NULL,
                    "ReceivedAt" timestamp with time zone NOT NULL DEFAULT clock_timestamp(),
                    CONSTRAINT "PK_PageViews" PRIMARY KEY ("Id", "At")
                ) PARTITION BY RANGE ("At");
                CREATE INDEX "BRIN_PageViews_At" ON "PageViews" USING brin ("At");
                """);

            migrationBuilder.CreateTable(
                name: "TrackedLinks",
                columns: table => new
                {
                    Code = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    VariantId = table.Column<Guid>(type: "uuid", nullable: false),
                    Destination = table.Column<string>(type: "character varying(4096)", maxLength: 4096, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrackedLinks", x => x.Code);
                    table.ForeignKey(
                        name: "FK_TrackedLinks_Variants_VariantId",
                        column: x => x.VariantId,
                        principalTable: "Variants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "VariantHours",
                columns: table => new
                {
                    Hour = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    VariantId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<short>(type: "smallint", nullable: false),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    FirstTouch = table.Column<double>(type: "double precision", nullable: false),
                    LastTouch = table.Column<double>(type: "double precision", nullable: false),
                    Linear = table.Column<double>(type: "double precision", nullable: false),
                    PositionBased = table.Column<double>(type: "double precision", nullable: false),
                    FirstTouchRevenue = table.Column<decimal>(type: "numeric(20,6)", precision: 20, scale: 6, nullable: false),
                    LastTouchRevenue = table.Column<decimal>(type: "numeric(20,6)", precision: 20, scale: 6, nullable: false),
                    LinearRevenue = table.Column<decimal>(type: "numeric(20,6)", precision: 20, scale: 6, nullable: false),
                    PositionBasedRevenue = table.Column<decimal>(type: "numeric(20,6)", precision: 20, scale: 6, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VariantHours", x => new { x.Hour, x.VariantId, x.Kind, x.Currency });
                });

            migrationBuilder.CreateTable(
                name: "VisitorDays",
                columns: table => new
                {
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    ChannelAccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    VisitorHash = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VisitorDays", x => new { x.Day, x.ChannelAccountId, x.VisitorHash });
                });

            migrationBuilder.CreateTable(
                name: "VisitorSalts",
                columns: table => new
                {
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    Salt = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VisitorSalts", x => x.Day);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AnalyticsIdentities_PersonId",
                table: "AnalyticsIdentities",
                column: "PersonId");

            migrationBuilder.CreateIndex(
                name: "IX_BlogViewHours_Slug_Hour",
                table: "BlogViewHours",
                columns: new[] { "Slug", "Hour" });

            migrationBuilder.CreateIndex(
                name: "IX_ClickHours_ChannelAccountId_Hour",
                table: "ClickHours",
                columns: new[] { "ChannelAccountId", "Hour" });

            migrationBuilder.CreateIndex(
                name: "IX_ClickHours_VariantId_Hour",
                table: "ClickHours",
                columns: new[] { "VariantId", "Hour" });

            migrationBuilder.CreateIndex(
                name: "IX_Clicks_ReceivedAt",
                table: "Clicks",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Conversions_At",
                table: "Conversions",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_Conversions_Kind_EventId",
                table: "Conversions",
                columns: new[] { "Kind", "EventId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Conversions_ReceivedAt",
                table: "Conversions",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_EngagementSnapshots_ExternalId_FetchedAt",
                table: "EngagementSnapshots",
                columns: new[] { "ExternalId", "FetchedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_EngagementSnapshots_VariantId_FetchedAt",
                table: "EngagementSnapshots",
                columns: new[] { "VariantId", "FetchedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_IngestKeys_KeyHash",
                table: "IngestKeys",
                column: "KeyHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_NewsletterUnsubscribes_VariantId",
                table: "NewsletterUnsubscribes",
                column: "VariantId");

            migrationBuilder.CreateIndex(
                name: "IX_PageViews_ReceivedAt",
                table: "PageViews",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_PageViews_VisitorId",
                table: "PageViews",
                column: "VisitorId");

            migrationBuilder.CreateIndex(
                name: "IX_TrackedLinks_VariantId",
                table: "TrackedLinks",
                column: "VariantId");

            migrationBuilder.CreateIndex(
                name: "IX_VariantHours_VariantId_Hour",
                table: "VariantHours",
                columns: new[] { "VariantId", "Hour" });
            // Monthly partitions, made ahead by the worker's daily job and at every start of the web app; this makes
            // the months around now, so a fresh installation (and the demo's 90 days of history) has them at once.
            migrationBuilder.Sql("""
                CREATE FUNCTION analytics_ensure_partitions(first_month date, months integer) RETURNS integer
                LANGUAGE plpgsql AS $$
                DECLARE
                    parent text;
                    month_start date;
                    partition_name text;
                    made integer := 0;
                BEGIN
                    PERFORM pg_advisory_xact_lock(hashtext('analytics_ensure_partitions'));
                    FOREACH parent IN ARRAY ARRAY['Clicks', 'PageViews'] LOOP
                        FOR i IN 0 .. months - 1 LOOP
                            month_start := (date_trunc('month', first_month) + make_interval(months => i))::date;
                            partition_name := parent || '_' || to_char(month_start, 'YYYY_MM');
                            IF to_regclass(format('%I', partition_name)) IS NULL THEN
                                EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                                    partition_name, parent,
                                    to_char(month_start, 'YYYY-MM-DD') || ' 00:00:00+00',
                                    to_char((month_start + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00');
                                made := made + 1;
                            END IF;
                        END LOOP;
                    END LOOP;
                    RETURN made;
                END
                $$;

                -- Retention: whole months before the cutoff are dropped (instant, no vacuum), older rows of the month
                -- the cutoff falls in are deleted.
                CREATE FUNCTION analytics_purge_partitions(cutoff timestamptz) RETURNS bigint
                LANGUAGE plpgsql AS $$
                DECLARE
                    parent text;
                    part record;
                    removed bigint := 0;
                    n bigint;
                BEGIN
                    PERFORM pg_advisory_xact_lock(hashtext('analytics_ensure_partitions'));
                    FOREACH parent IN ARRAY ARRAY['Clicks', 'PageViews'] LOOP
                        FOR part IN
                            SELECT c.relname AS name,
                                   (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz AS upper_bound
                            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                            WHERE i.inhparent = format('%I', parent)::regclass
                        LOOP
                            IF part.upper_bound <= cutoff THEN
                                EXECUTE format('SELECT count(*) FROM %I', part.name) INTO n;
                                EXECUTE format('DROP TABLE %I', part.name);
                                removed := removed + n;
                            END IF;
                        END LOOP;
                        EXECUTE format('DELETE FROM %I WHERE "At" < %L', parent, cutoff);
                        GET DIAGNOSTICS n = ROW_COUNT;
                        removed := removed + n;
                    END LOOP;
                    RETURN removed;
                END
                $$;

                SELECT analytics_ensure_partitions((date_trunc('month', now()) - interval '4 months')::date, 8);
                """);

            // The brand's analytics settings, with a secret key for link codes that never leaves the database.
            migrationBuilder.Sql("""
                INSERT INTO "AnalyticsSettings" ("Id", "LinkKey", "LookbackDays", "RequireConsent", "SiteOrigins")
                VALUES (1, sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || clock_timestamp()::text, 'UTF8')), 30, false, '{}');
                """);

            // Every link a saved variant carries becomes a tracked link the redirect can find, in the same transaction,
            // whoever saves the variant. A code is made from the variant and the destination, so it can only clash
            // with another link's by an HMAC collision; that is refused rather than sending anyone elsewhere.
            migrationBuilder.Sql("""
                CREATE FUNCTION analytics_register_links() RETURNS trigger
                LANGUAGE plpgsql AS $$
                DECLARE
                    clash text;
                BEGIN
                    IF NEW."LinksJson" IS NULL OR jsonb_typeof(NEW."LinksJson") <> 'array' THEN
                        RETURN NEW;
                    END IF;
                    INSERT INTO "TrackedLinks" ("Code", "VariantId", "Destination", "CreatedAt")
                    SELECT l->>'code', NEW."Id", l->>'destination', now()
                    FROM jsonb_array_elements(NEW."LinksJson") AS l
                    ON CONFLICT ("Code") DO NOTHING;
                    SELECT t."Code" INTO clash
                    FROM "TrackedLinks" t JOIN jsonb_array_elements(NEW."LinksJson") AS l ON t."Code" = l->>'code'
                    WHERE t."VariantId" <> NEW."Id" OR t."Destination" <> l->>'destination'
                    LIMIT 1;
                    IF clash IS NOT NULL THEN
                        RAISE EXCEPTION 'The tracked link code % already belongs to another link; edit the link and save again.', clash;
                    END IF;
                    RETURN NEW;
                END
                $$;
                CREATE TRIGGER "Variants_RegisterTrackedLinks" AFTER INSERT OR UPDATE OF "LinksJson" ON "Variants"
                    FOR EACH ROW EXECUTE FUNCTION analytics_register_links();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS "Variants_RegisterTrackedLinks" ON "Variants";
                DROP FUNCTION IF EXISTS analytics_register_links();
                DROP FUNCTION IF EXISTS analytics_ensure_partitions(date, integer);
                DROP FUNCTION IF EXISTS analytics_purge_partitions(timestamptz);
                """);
            migrationBuilder.DropTable(
                name: "AnalyticsIdentities");

            migrationBuilder.DropTable(
                name: "AnalyticsSettings");

            migrationBuilder.DropTable(
                name: "AnalyticsWatermarks");

            migrationBuilder.DropTable(
                name: "BlogViewHours");

            migrationBuilder.DropTable(
                name: "ChannelHours");

            migrationBuilder.DropTable(
                name: "ClickHours");

            migrationBuilder.DropTable(
                name: "Clicks");

            migrationBuilder.DropTable(
                name: "Conversions");

            migrationBuilder.DropTable(
                name: "EngagementSnapshots");

            migrationBuilder.DropTable(
                name: "IngestKeys");

            migrationBuilder.DropTable(
                name: "NewsletterUnsubscribes");

            migrationBuilder.DropTable(
                name: "PageViews");

            migrationBuilder.DropTable(
                name: "TrackedLinks");

            migrationBuilder.DropTable(
                name: "VariantHours");

            migrationBuilder.DropTable(
                name: "VisitorDays");

            migrationBuilder.DropTable(
                name: "VisitorSalts");

            migrationBuilder.DropColumn(
                name: "LinksJson",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "TrackLinks",
                table: "ChannelAccounts");
        }
    }
}
