using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Review;

[Collection(WebAppCollection.Name)]
public class AuditPageTests(PublisherWebApp app)
{
    [Theory]
    [InlineData(Roles.Marketer)]
    [InlineData(Roles.Approver)]
    public async Task Only_admins_and_brand_managers_read_the_audit_log(string role)
    {
        var client = await app.SignedInAsync(role);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/Audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/Audit?handler=Csv")).StatusCode);
    }

    [Fact]
    public async Task The_log_filters_and_exports_csv_with_quoting_and_no_spreadsheet_formulas()
    {
        var marker = Guid.NewGuid().ToString("N");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            db.AuditEvents.Add(new AuditEvent { At = DateTimeOffset.UtcNow, ActorName = "Ava, \"the\" approver", EntityType = "Variant", EntityId = marker, Action = "transition", FromState = "InReview", ToState = "Rejected", Reason = "=HYPERLINK(\"x\")" });
            db.AuditEvents.Add(new AuditEvent { At = DateTimeOffset.UtcNow, ActorName = "someone else", EntityType = "Variant", EntityId = "other-" + marker, Action = "transition" });
            await db.SaveChangesAsync();
        }

        var client = await app.SignedInAsync(Roles.BrandManager);
        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"/Audit?Entity={marker}"));
        Assert.Contains("InReview → Rejected", page);
        Assert.DoesNotContain("someone else", page);

        var csv = await client.GetAsync($"/Audit?handler=Csv&Entity={marker}");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("at_utc,actor,action", lines[0]);
        Assert.Contains("\"Ava, \"\"the\"\" approver\"", lines[1]);
        Assert.Contains("\"'=HYPERLINK(\"\"x\"\")\"", lines[1]);
    }
}
