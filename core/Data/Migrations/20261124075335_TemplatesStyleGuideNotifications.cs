using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Publisher.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class TemplatesStyleGuideNotifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "CountLimit",
                table: "Variants",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "CountUsed",
                table: "Variants",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "FacetsJson",
                table: "Variants",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FeedEntry",
                table: "Variants",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "HasRenderErrors",
                table: "Variants",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "HasStyleErrors",
                table: "Variants",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "HeldByStyleGuide",
                table: "Variants",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "JsonPayload",
                table: "Variants",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Link",
                table: "Variants",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Preheader",
                table: "Variants",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RenderDiagnosticsJson",
                table: "Variants",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "StyleFindingsJson",
                table: "Variants",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "StyleGuideVersionHash",
                table: "Variants",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "StyleScore",
                table: "Variants",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "PlannedAt",
                table: "Messages",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "ApprovalSteps",
                table: "ChannelAccounts",
                type: "text[]",
                nullable: false);

            migrationBuilder.AddColumn<string>(
                name: "Role",
                table: "Approvals",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Step",
                table: "Approvals",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "ChannelTemplateVersions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    Source = table.Column<string>(type: "text", nullable: false),
                    CreatedById = table.Column<string>(type: "text", nullable: true),
                    CreatedByName = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Note = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChannelTemplateVersions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Notifications",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Text = table.Column<string>(type: "text", nullable: false),
                    Link = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ReadAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Notifications", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Notifications_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "StyleGuideVersions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    Yaml = table.Column<string>(type: "text", nullable: false),
                    VersionHash = table.Column<string>(type: "text", nullable: false),
                    CreatedById = table.Column<string>(type: "text", nullable: true),
                    CreatedByName = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Note = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StyleGuideVersions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "WarningAcceptances",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    VariantId = table.Column<Guid>(type: "uuid", nullable: false),
                    FindingKey = table.Column<string>(type: "text", nullable: false),
                    Reason = table.Column<string>(type: "text", nullable: false),
                    AcceptedById = table.Column<string>(type: "text", nullable: false),
                    AcceptedByName = table.Column<string>(type: "text", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WarningAcceptances", x => x.Id);
                    table.ForeignKey(
                        name: "FK_WarningAcceptances_Variants_VariantId",
                        column: x => x.VariantId,
                        principalTable: "Variants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ChannelTemplateVersions_Kind_Number",
                table: "ChannelTemplateVersions",
                columns: new[] { "Kind", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Notifications_UserId_ReadAt",
                table: "Notifications",
                columns: new[] { "UserId", "ReadAt" });

            migrationBuilder.CreateIndex(
                name: "IX_StyleGuideVersions_Number",
                table: "StyleGuideVersions",
                column: "Number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_WarningAcceptances_VariantId_FindingKey",
                table: "WarningAcceptances",
                columns: new[] { "VariantId", "FindingKey" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ChannelTemplateVersions");

            migrationBuilder.DropTable(
                name: "Notifications");

            migrationBuilder.DropTable(
                name: "StyleGuideVersions");

            migrationBuilder.DropTable(
                name: "WarningAcceptances");

            migrationBuilder.DropColumn(
                name: "CountLimit",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "CountUsed",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "FacetsJson",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "FeedEntry",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "HasRenderErrors",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "HasStyleErrors",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "HeldByStyleGuide",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "JsonPayload",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "Link",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "Preheader",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "RenderDiagnosticsJson",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "StyleFindingsJson",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "StyleGuideVersionHash",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "StyleScore",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "PlannedAt",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "ApprovalSteps",
                table: "ChannelAccounts");

            migrationBuilder.DropColumn(
                name: "Role",
                table: "Approvals");

            migrationBuilder.DropColumn(
                name: "Step",
                table: "Approvals");
        }
    }
}
