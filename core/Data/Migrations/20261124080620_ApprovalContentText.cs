using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Publisher.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class ApprovalContentText : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ContentText",
                table: "Approvals",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ContentText",
                table: "Approvals");
        }
    }
}
