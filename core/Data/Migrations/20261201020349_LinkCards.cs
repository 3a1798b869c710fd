using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Publisher.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class LinkCards : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LinkCard",
                table: "Variants",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LinkCardImage",
                table: "Variants",
                type: "jsonb",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "LinkCard",
                table: "Variants");

            migrationBuilder.DropColumn(
                name: "LinkCardImage",
                table: "Variants");
        }
    }
}
