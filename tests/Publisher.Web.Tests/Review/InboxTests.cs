using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Review;

[Collection(WebAppCollection.Name)]
public class InboxTests(PublisherWebApp app)
{
    [Fact]
    public async Task The_header_shows_the_unread_count_only_when_there_is_something_unread_and_names_the_user()
    {
        var email = $"inbox-{Guid.NewGuid():N}@tests.publisher.local";
        string userId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = new AppUser { UserName = email, Email = email, DisplayName = "Ines Inbox" };
            Assert.True((await users.CreateAsync(user, PublisherWebApp.Password)).Succeeded);
            await users.AddToRoleAsync(user, Roles.Marketer);
            userId = user.Id;
        }
        var client = await app.SignInAsync(email, PublisherWebApp.Password);

        var empty = await client.GetStringAsync("/Calendar");
        Assert.DoesNotContain("unread-count", empty);
        Assert.DoesNotContain("@if", empty);
        Assert.Contains("Ines Inbox", empty);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            db.Notifications.Add(new Notification { UserId = userId, Text = "Your variant was approved.", Link = "/Calendar", CreatedAt = DateTimeOffset.UtcNow });
            db.Notifications.Add(new Notification { UserId = userId, Text = "Another one.", CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }
        var two = await client.GetStringAsync("/Calendar");
        Assert.Contains("<span class=\"unread-count\" title=\"2 unread\">2</span>", two);
    }
}
