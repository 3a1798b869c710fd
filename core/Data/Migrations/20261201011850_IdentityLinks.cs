using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Publisher.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class IdentityLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_PageViews_ClickId",
                table: "PageViews",
                column: "ClickId",
                filter: "\"ClickId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Conversions_ClickId",
                table: "Conversions",
                column: "ClickId",
                filter: "\"ClickId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Conversions_EmailSha256",
                table: "Conversions",
                column: "EmailSha256",
                filter: "\"EmailSha256\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Conversions_VisitorId",
                table: "Conversions",
                column: "VisitorId",
                filter: "\"VisitorId\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PageViews_ClickId",
                table: "PageViews");

            migrationBuilder.DropIndex(
                name: "IX_Conversions_ClickId",
                table: "Conversions");

            migrationBuilder.DropIndex(
                name: "IX_Conversions_EmailSha256",
                table: "Conversions");

            migrationBuilder.DropIndex(
                name: "IX_Conversions_VisitorId",
                table: "Conversions");
        }
    }
}
