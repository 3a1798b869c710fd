using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Publisher.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class Publishing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<string>>(
                name: "ExternalPartIds",
                table: "Variants",
                type: "text[]",
                nullable: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "NextAttemptAt",
                table: "Variants",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "PublishedAt",
                table: "Variants",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ScheduleToken",
                table: "Variants",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ConnectionCheckedAt",
                table: "ChannelAccounts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConnectionMessage",
                table: "ChannelAccounts",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ConnectionOk",
                table: "ChannelAccounts",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "PostingSlots",
                table: "ChannelAccounts",
                type: "text[]",
                nullable: false);

            migrationBuilder.AddColumn<string>(
                name: "SettingsJson",
                table: "ChannelAccounts",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CalendarFeedTokenHash",
                table: "AspNetUsers",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "PublishAttempts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    VariantId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    ContentHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    IdempotencyKey = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Worker = table.Column<string>(type: "text", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    HttpStatus = table.Column<int>(type: "integer", nullable: true),
                    Detail = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PublishAttempts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PublishAttempts_Variants_VariantId",
                        column: x => x.VariantId,
                        principalTable: "Variants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUsers_CalendarFeedTokenHash",
                table: "AspNetUsers",
                column: "CalendarFeedTokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PublishAttempts_FinishedAt",
                table: "PublishAttempts",
                column: "FinishedAt");

            migrationBuilder.CreateIndex(
                name: "IX_PublishAttempts_VariantId_Number",
                table: "PublishAttempts",
                columns: new[] { "VariantId", "Number" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PublishAttempts");

            migrationBuilder.DropIndex(
                name: "IX_AspNetUsers_CalendarFeedTokenHash",
                table: "AspNetUsers");

            migrationBuilder.DropColumn(
                name: "ExternalPartIds",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "NextAttemptAt",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "PublishedAt",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "ScheduleToken",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "ConnectionCheckedAt",
                table: "ChannelAccounts");

            migrationBuilder.DropColumn(
                name: "ConnectionMessage",
                table: "ChannelAccounts");

            migrationBuilder.DropColumn(
                name: "ConnectionOk",
                table: "ChannelAccounts");

            migrationBuilder.DropColumn(
                name: "PostingSlots",
                table: "ChannelAccounts");

            migrationBuilder.DropColumn(
                name: "SettingsJson",
                table: "ChannelAccounts");

            migrationBuilder.DropColumn(
                name: "CalendarFeedTokenHash",
                table: "AspNetUsers");
        }
    }
}
