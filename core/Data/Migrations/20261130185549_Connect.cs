using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Publisher.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class Connect : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ConnectedWith",
                table: "ChannelAccounts",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ExternalId",
                table: "ChannelAccounts",
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "NeedsReconnect",
                table: "ChannelAccounts",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "ReconnectReason",
                table: "ChannelAccounts",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "TokenExpiresAt",
                table: "ChannelAccounts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ConnectAttempts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    StateHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    BrowserHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Network = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Instance = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    RedirectUri = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    ProtectedVerifier = table.Column<string>(type: "text", nullable: false),
                    ReconnectAccountId = table.Column<Guid>(type: "uuid", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UsedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ProtectedPending = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConnectAttempts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "OAuthAppRegistrations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Network = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Instance = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    RedirectUri = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    Scopes = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    ClientId = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    ProtectedClientSecret = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OAuthAppRegistrations", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ChannelAccounts_TokenExpiresAt",
                table: "ChannelAccounts",
                column: "TokenExpiresAt",
                filter: "\"ConnectedWith\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_ConnectAttempts_ExpiresAt",
                table: "ConnectAttempts",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_ConnectAttempts_StateHash",
                table: "ConnectAttempts",
                column: "StateHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_OAuthAppRegistrations_Network_Instance_RedirectUri_Scopes",
                table: "OAuthAppRegistrations",
                columns: new[] { "Network", "Instance", "RedirectUri", "Scopes" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ConnectAttempts");

            migrationBuilder.DropTable(
                name: "OAuthAppRegistrations");

            migrationBuilder.DropIndex(
                name: "IX_ChannelAccounts_TokenExpiresAt",
                table: "ChannelAccounts");

            migrationBuilder.DropColumn(
                name: "ConnectedWith",
                table: "ChannelAccounts");

            migrationBuilder.DropColumn(
                name: "ExternalId",
                table: "ChannelAccounts");

            migrationBuilder.DropColumn(
                name: "NeedsReconnect",
                table: "ChannelAccounts");

            migrationBuilder.DropColumn(
                name: "ReconnectReason",
                table: "ChannelAccounts");

            migrationBuilder.DropColumn(
                name: "TokenExpiresAt",
                table: "ChannelAccounts");
        }
    }
}
