using System.Net;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Domain;
using Publisher.Web.Tests.Calendar;
using Publisher.Web.Tests.Messages;

namespace Publisher.Web.Tests.Publishing;

/// <summary>
/// A post's address came from a network's answer (or a person's form): only a web address ever becomes the
/// "see the post" link, even one stored before addresses were checked, and marking a post published by hand
/// takes only a web address.
/// </summary>
[Collection(WebAppCollection.Name)]
public class PostAddressTests(PublisherWebApp app)
{
    [Theory]
    [InlineData("javascript:alert(document.domain)//")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    public async Task An_address_that_is_not_a_web_address_is_never_a_link_on_the_variant_page(string hostile)
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var account = await CalendarData.AccountAsync(app);
        var variant = (await CalendarData.MessageAsync(app, userId, DateTimeOffset.UtcNow.AddDays(-1), VariantState.Draft, CalendarData.Unique("Hostile address"), account)).Single();
        await Editor.WithDbAsync(app, async db =>
        {
            var stored = await db.Variants.SingleAsync(v => v.Id == variant.Id);
            (stored.State, stored.ExternalId, stored.ExternalUrl, stored.PublishedAt) = (VariantState.Published, "post-1", hostile, DateTimeOffset.UtcNow);
            return await db.SaveChangesAsync();
        });

        var html = await client.GetStringAsync($"/Variants/{variant.Id}");

        Assert.Contains("id=\"published\"", html);
        Assert.DoesNotContain("see the post", html);
        Assert.DoesNotContain("javascript:", html);
        Assert.DoesNotContain("href=\"data:", html);
    }

    [Fact]
    public async Task Marking_a_post_published_by_hand_takes_only_a_web_address()
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var account = await CalendarData.AccountAsync(app);
        var variant = (await CalendarData.MessageAsync(app, userId, DateTimeOffset.UtcNow.AddDays(-1), VariantState.Draft, CalendarData.Unique("By hand"), account)).Single();
        await Editor.WithDbAsync(app, async db =>
        {
            var stored = await db.Variants.SingleAsync(v => v.Id == variant.Id);
            stored.State = VariantState.NeedsAttention;
            return await db.SaveChangesAsync();
        });

        var refused = await PublisherWebApp.PostFormAsync(client, $"/Variants/{variant.Id}", "MarkPublished", ("url", "javascript:alert(document.domain)//"));
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        var after = await Editor.WithDbAsync(app, db => db.Variants.AsNoTracking().SingleAsync(v => v.Id == variant.Id));
        Assert.Equal(VariantState.NeedsAttention, after.State);
        Assert.Null(after.ExternalUrl);
        Assert.Contains("must be a full web address", WebUtility.HtmlDecode(await client.GetStringAsync($"/Variants/{variant.Id}")));
    }
}
