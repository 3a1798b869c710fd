using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Publisher.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class ChannelUtmSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "UtmContent",
                table: "ChannelAccounts",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "UtmEnabled",
                table: "ChannelAccounts",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "UtmMedium",
                table: "ChannelAccounts",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UtmSource",
                table: "ChannelAccounts",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "UtmContent",
                table: "ChannelAccounts");

            migrationBuilder.DropColumn(
                name: "UtmEnabled",
                table: "ChannelAccounts");

            migrationBuilder.DropColumn(
                name: "UtmMedium",
                table: "ChannelAccounts");

            migrationBuilder.DropColumn(
                name: "UtmSource",
                table: "ChannelAccounts");
        }
    }
}
