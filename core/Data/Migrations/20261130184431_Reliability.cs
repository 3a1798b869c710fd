using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Publisher.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class Reliability : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "SentAt",
                table: "PublishAttempts",
                type: "timestamp with time zone",
                nullable: true);

            // Attempts made before rounds of sends were recorded may have gone out: they keep being reconciled.
            migrationBuilder.Sql("""UPDATE "PublishAttempts" SET "SentAt" = "StartedAt" """);

            migrationBuilder.CreateTable(
                name: "PublishWorkers",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SeenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PublishWorkers", x => x.Name);
                });

            // The dispatcher's claim takes the earliest due scheduled variants: this index serves it a burst's rows
            // in order, so a claim reads what it takes instead of sorting every scheduled variant each time.
            migrationBuilder.Sql("""CREATE INDEX "IX_Variants_DueScheduled" ON "Variants" (COALESCE("NextAttemptAt", "ScheduledAt")) WHERE "State" = 'Scheduled'""");

            migrationBuilder.CreateIndex(
                name: "IX_PublishAttempts_Worker",
                table: "PublishAttempts",
                column: "Worker",
                filter: "\"FinishedAt\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX "IX_Variants_DueScheduled" """);

            migrationBuilder.DropTable(
                name: "PublishWorkers");

            migrationBuilder.DropIndex(
                name: "IX_PublishAttempts_Worker",
                table: "PublishAttempts");

            migrationBuilder.DropColumn(
                name: "SentAt",
                table: "PublishAttempts");
        }
    }
}
