using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Publisher.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class AnalyticsIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PageViews_ReceivedAt",
                table: "PageViews");

            migrationBuilder.DropIndex(
                name: "IX_Conversions_ReceivedAt",
                table: "Conversions");

            migrationBuilder.DropIndex(
                name: "IX_Clicks_ReceivedAt",
                table: "Clicks");

            migrationBuilder.CreateIndex(
                name: "IX_PageViews_ReceivedAt_Id",
                table: "PageViews",
                columns: new[] { "ReceivedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversions_ReceivedAt_Id",
                table: "Conversions",
                columns: new[] { "ReceivedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Clicks_ReceivedAt_Id",
                table: "Clicks",
                columns: new[] { "ReceivedAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PageViews_ReceivedAt_Id",
                table: "PageViews");

            migrationBuilder.DropIndex(
                name: "IX_Conversions_ReceivedAt_Id",
                table: "Conversions");

            migrationBuilder.DropIndex(
                name: "IX_Clicks_ReceivedAt_Id",
                table: "Clicks");

            migrationBuilder.CreateIndex(
                name: "IX_PageViews_ReceivedAt",
                table: "PageViews",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Conversions_ReceivedAt",
                table: "Conversions",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Clicks_ReceivedAt",
                table: "Clicks",
                column: "ReceivedAt");
        }
    }
}
