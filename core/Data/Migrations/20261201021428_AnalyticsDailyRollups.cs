using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Publisher.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class AnalyticsDailyRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AccountClickHours",
                columns: table => new
                {
                    Hour = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ChannelAccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    Clicks = table.Column<int>(type: "integer", nullable: false),
                    Previews = table.Column<int>(type: "integer", nullable: false),
                    Visitors = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountClickHours", x => new { x.ChannelAccountId, x.Hour });
                });

            migrationBuilder.CreateTable(
                name: "ClickDays",
                columns: table => new
                {
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    VariantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ChannelAccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    Clicks = table.Column<int>(type: "integer", nullable: false),
                    Previews = table.Column<int>(type: "integer", nullable: false),
                    Visitors = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ClickDays", x => new { x.Day, x.VariantId });
                });

            migrationBuilder.CreateIndex(
                name: "IX_ClickDays_VariantId_Day",
                table: "ClickDays",
                columns: new[] { "VariantId", "Day" });

            // Rollups kept before this migration: the day and account tables start from the hourly one, exactly.
            migrationBuilder.Sql("""
                INSERT INTO "ClickDays" ("Day", "VariantId", "ChannelAccountId", "Clicks", "Previews", "Visitors")
                SELECT ("Hour" AT TIME ZONE 'UTC')::date, "VariantId", min("ChannelAccountId"::text)::uuid, sum("Clicks"), sum("Previews"), sum("Visitors")
                FROM "ClickHours" GROUP BY 1, 2;
                INSERT INTO "AccountClickHours" ("ChannelAccountId", "Hour", "Clicks", "Previews", "Visitors")
                SELECT "ChannelAccountId", "Hour", sum("Clicks"), sum("Previews"), sum("Visitors") FROM "ClickHours" GROUP BY 1, 2;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccountClickHours");

            migrationBuilder.DropTable(
                name: "ClickDays");
        }
    }
}
