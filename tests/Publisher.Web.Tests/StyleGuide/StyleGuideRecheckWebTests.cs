using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.StyleGuide;

[Collection(WebAppCollection.Name)]
public class StyleGuideRecheckWebTests(PublisherWebApp app)
{
    [Fact]
    public async Task Banning_a_word_on_the_page_holds_a_scheduled_variant_using_it_and_unbanning_it_releases_the_variant()
    {
        var word = "zq" + Guid.NewGuid().ToString("N")[..8].Replace('0', 'x').Replace('1', 'y');
        Guid variantId;
        string authorId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            var author = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(PublisherWebApp.EmailFor(Roles.Marketer));
            authorId = author!.Id;
            var account = new ChannelAccount { Name = $"Held {Guid.NewGuid():N}", Kind = "LinkedIn" };
            db.ChannelAccounts.Add(account);
            var message = new Message { Title = "Open day", AuthorId = authorId, TimeZone = "Europe/Paris" };
            var variant = new Variant
            {
                MessageId = message.Id, ChannelAccountId = account.Id, State = VariantState.Scheduled,
                RenderedText = $"Come to our {word} open day.", ScheduledAt = DateTimeOffset.UtcNow.AddDays(1),
            };
            message.Variants.Add(variant);
            db.Messages.Add(message);
            await db.SaveChangesAsync();
            variantId = variant.Id;
        }

        var manager = await app.SignedInAsync(Roles.BrandManager);
        async Task PostAsync(string handler, Dictionary<string, string> fields)
        {
            fields["__RequestVerificationToken"] = await PublisherWebApp.AntiforgeryTokenAsync(manager, "/StyleGuide/Edit");
            var response = await manager.PostAsync($"/StyleGuide/Edit?handler={handler}", new FormUrlEncodedContent(fields));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        await PostAsync("AddBanned", new() { ["term"] = word, ["reason"] = "Made-up word." });
        var notice = WebUtility.HtmlDecode(await manager.GetStringAsync("/StyleGuide/Edit"));
        Assert.Matches(@"[1-9]\d* scheduled held back", notice);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            var variant = await db.Variants.SingleAsync(v => v.Id == variantId);
            Assert.True(variant.HeldByStyleGuide);
            var notification = await db.Notifications.Where(n => n.UserId == authorId && n.Link!.Contains(variantId.ToString())).SingleAsync();
            Assert.Contains(word, notification.Text);
        }

        await PostAsync("RemoveBanned", new() { ["term"] = word });
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            Assert.False((await db.Variants.SingleAsync(v => v.Id == variantId)).HeldByStyleGuide);
        }
    }
}
