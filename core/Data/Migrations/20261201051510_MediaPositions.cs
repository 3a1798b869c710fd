using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Publisher.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class MediaPositions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<int>(
                name: "Position",
                table: "VariantMedia",
                type: "integer",
                nullable: false,
                oldClrType: typeof(int),
                oldType: "integer")
                .OldAnnotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);

            // Rows saved while the position was an identity hold the sequence's numbers: number them 0, 1, … again in
            // their order (each variant got one row then, as two could not be saved), so positions mean places.
            migrationBuilder.Sql("""
                UPDATE "VariantMedia" AS m SET "Position" = -1 - r.place
                FROM (SELECT "VariantId", "Position", row_number() OVER (PARTITION BY "VariantId" ORDER BY "Position") - 1 AS place FROM "VariantMedia") AS r
                WHERE m."VariantId" = r."VariantId" AND m."Position" = r."Position";
                UPDATE "VariantMedia" SET "Position" = -1 - "Position";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<int>(
                name: "Position",
                table: "VariantMedia",
                type: "integer",
                nullable: false,
                oldClrType: typeof(int),
                oldType: "integer")
                .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);
        }
    }
}
