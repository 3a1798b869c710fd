using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Review;
using Publisher.Core.Workflow;
using Publisher.Testing;

namespace Publisher.Core.Tests.Review;

[Collection(PostgresCollection.Name)]
public class ApprovalServiceTests(PostgresServer postgres) : IAsyncLifetime
{
    private ServiceProvider _services = null!;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));

    private sealed record Person(string Id, string Name, string[] Roles)
    {
        public Actor Actor => new(Id, Name);
    }

    private Person _author = null!, _approver = null!, _secondApprover = null!, _brandManager = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await postgres.CreateMigratedDatabaseAsync("review");
        _services = new ServiceCollection().AddDatabaseTools(connectionString).AddSingleton<TimeProvider>(_clock).BuildServiceProvider();
        await using var scope = _services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
            await roles.CreateAsync(new IdentityRole(role));
        _author = await AddPersonAsync(scope, "Max", Roles.Marketer);
        _approver = await AddPersonAsync(scope, "Ava", Roles.Approver);
        _secondApprover = await AddPersonAsync(scope, "Abe", Roles.Approver);
        _brandManager = await AddPersonAsync(scope, "Bea", Roles.BrandManager);
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private static async Task<Person> AddPersonAsync(AsyncServiceScope scope, string name, params string[] roles)
    {
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = $"{name}-{Guid.NewGuid():N}@t.local", Email = $"{name}-{Guid.NewGuid():N}@t.local", DisplayName = name };
        Assert.True((await users.CreateAsync(user)).Succeeded);
        Assert.True((await users.AddToRolesAsync(user, roles)).Succeeded);
        return new Person(user.Id, name, roles);
    }

    private async Task<Guid> NewVariantAsync(VariantState state = VariantState.Draft, params string[] steps)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var account = new ChannelAccount { Name = $"LinkedIn {Guid.NewGuid():N}", Kind = "LinkedIn", ApprovalSteps = steps.Length > 0 ? [.. steps] : [Roles.Approver] };
        var message = new Message { Title = "Roastery open day", AuthorId = _author.Id, TimeZone = "Europe/Paris" };
        var variant = new Variant
        {
            MessageId = message.Id, ChannelAccountId = account.Id, RenderedText = "Visit the roastery on Saturday.", State = state,
            LastEditedById = _author.Id, ScheduledAt = _clock.GetUtcNow().AddDays(1),
        };
        variant.ContentHash = ContentHash.Of(variant);
        message.Variants.Add(variant);
        db.AddRange(account, message);
        await db.SaveChangesAsync();
        return variant.Id;
    }

    private async Task<(WorkflowResult Result, Variant Variant)> ActAsync(Guid id, Func<ApprovalService, Variant, Task<WorkflowResult>> act)
    {
        await using var scope = _services.CreateAsyncScope();
        var service = scope.ServiceProvider.GetRequiredService<ApprovalService>();
        var variant = (await service.FindAsync(id))!;
        var result = await act(service, variant);
        await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().SaveChangesAsync();
        return (result, variant);
    }

    private Task<(WorkflowResult Result, Variant Variant)> ApproveAsync(Guid id, Person who) =>
        ActAsync(id, (s, v) => s.ApproveAsync(v, who.Actor, who.Roles));

    private async Task<Variant> LoadAsync(Guid id)
    {
        await using var scope = _services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<ApprovalService>().FindAsync(id))!;
    }

    [Fact]
    public async Task Submitting_notifies_the_approvers_and_approving_tells_the_author()
    {
        var id = await NewVariantAsync();
        var (submitted, _) = await ActAsync(id, (s, v) => s.SubmitAsync(v, _author.Actor));
        Assert.True(submitted.Succeeded, submitted.Error);

        var (approved, variant) = await ApproveAsync(id, _approver);
        Assert.True(approved.Succeeded, approved.Error);
        Assert.Equal(VariantState.Approved, variant.State);
        Assert.True(ApprovalService.IsFullyApproved(await LoadAsync(id)));

        await using var scope = _services.CreateAsyncScope();
        var notes = await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().Notifications.ToListAsync();
        Assert.Contains(notes, n => n.UserId == _approver.Id && n.Text.Contains("awaits your review") && n.Link!.Contains(variant.MessageId.ToString()) && n.ReadAt != null);
        Assert.Contains(notes, n => n.UserId == _author.Id && n.Text.Contains("approved"));
        Assert.DoesNotContain(notes, n => n.UserId == _author.Id && n.Text.Contains("awaits your review"));
    }

    /// <summary>One message with a variant on each of the named accounts, all drafts.</summary>
    private async Task<(Guid MessageId, List<Guid> Variants)> MessageOnAccountsAsync(string title, params string[] accountNames)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var message = new Message { Title = title, AuthorId = _author.Id, TimeZone = "Europe/Paris" };
        var ids = new List<Guid>();
        foreach (var name in accountNames)
        {
            var account = new ChannelAccount { Name = $"{name} {Guid.NewGuid():N}", Kind = "Email" };
            var variant = new Variant { MessageId = message.Id, ChannelAccountId = account.Id, RenderedText = $"{title} on {name}.", LastEditedById = _author.Id, ScheduledAt = _clock.GetUtcNow().AddDays(1) };
            variant.ContentHash = ContentHash.Of(variant);
            message.Variants.Add(variant);
            db.Add(account);
            ids.Add(variant.Id);
        }
        db.Add(message);
        await db.SaveChangesAsync();
        return (message.Id, ids);
    }

    private async Task<List<Notification>> NotesAsync(string userId)
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().Notifications.AsNoTracking().Where(n => n.UserId == userId).ToListAsync();
    }

    [Fact]
    public async Task A_messages_variants_awaiting_review_are_one_notice_per_approver_read_once_each_is_decided()
    {
        var title = "Harvest " + Guid.NewGuid().ToString("N")[..6];
        var (messageId, ids) = await MessageOnAccountsAsync(title, "Northwind on X", "Northwind on Mastodon", "Northwind Blog");
        foreach (var id in ids)
            Assert.True((await ActAsync(id, (s, v) => s.SubmitAsync(v, _author.Actor))).Result.Succeeded);

        foreach (var person in new[] { _approver, _secondApprover })
        {
            var notes = (await NotesAsync(person.Id)).Where(n => n.Text.Contains(title)).ToList();
            var note = Assert.Single(notes);
            Assert.Equal($"3 variants of “{title}” await your review.", note.Text);
            Assert.Equal($"/Approvals?Message={messageId}", note.Link);
            Assert.Null(note.ReadAt);
        }

        Assert.True((await ApproveAsync(ids[0], _approver)).Result.Succeeded);
        Assert.Equal($"2 variants of “{title}” await your review.", (await NotesAsync(_approver.Id)).Single(n => n.Text.Contains(title)).Text);
        Assert.True((await ApproveAsync(ids[1], _approver)).Result.Succeeded);
        Assert.True((await ActAsync(ids[2], (s, v) => s.RejectAsync(v, _approver.Actor, "Not the blog this week."))).Result.Succeeded);

        // Every variant decided: nothing waits for either approver any more.
        Assert.All((await NotesAsync(_approver.Id)).Concat(await NotesAsync(_secondApprover.Id)).Where(n => n.Text.Contains(title)), n => Assert.NotNull(n.ReadAt));
    }

    [Fact]
    public async Task An_account_whose_name_has_its_article_is_never_preceded_by_another_the()
    {
        var title = "Letter " + Guid.NewGuid().ToString("N")[..6];
        var (_, ids) = await MessageOnAccountsAsync(title, "The Northwind Letter");
        Assert.True((await ActAsync(ids[0], (s, v) => s.SubmitAsync(v, _author.Actor))).Result.Succeeded);
        Assert.True((await ApproveAsync(ids[0], _approver)).Result.Succeeded);

        var texts = (await NotesAsync(_approver.Id)).Concat(await NotesAsync(_author.Id)).Select(n => n.Text).Where(t => t.Contains(title)).ToList();
        Assert.Contains(texts, t => t.StartsWith("The Northwind Letter ") && t.Contains("awaits your review"));
        Assert.Contains(texts, t => t.StartsWith("Ava approved The Northwind Letter "));
        Assert.DoesNotContain(texts, t => t.Contains("The The", StringComparison.OrdinalIgnoreCase) || t.Contains("the The"));
    }

    [Fact]
    public async Task Editing_after_approval_voids_it_and_sends_the_variant_back_to_review()
    {
        var id = await NewVariantAsync(VariantState.InReview);
        Assert.True((await ApproveAsync(id, _approver)).Result.Succeeded);

        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            var variant = (await scope.ServiceProvider.GetRequiredService<ApprovalService>().FindAsync(id))!;
            variant.ManualOverride = "Visit the roastery on Sunday.";
            variant.LastEditedById = _author.Id;
            variant.ContentHash = ContentHash.Of(variant);
            scope.ServiceProvider.GetRequiredService<VariantWorkflow>().ContentChanged(variant, _author.Actor, "edited by hand");
            await db.SaveChangesAsync();
        }

        var after = await LoadAsync(id);
        Assert.Equal(VariantState.InReview, after.State);
        Assert.NotNull(after.Approvals.Single().VoidedAt);
        Assert.False(ApprovalService.IsFullyApproved(after));
    }

    [Fact]
    public async Task The_publish_side_check_refuses_content_whose_hash_no_approval_carries()
    {
        var id = await NewVariantAsync(VariantState.InReview);
        Assert.True((await ApproveAsync(id, _approver)).Result.Succeeded);
        Assert.True(ApprovalService.IsFullyApproved(await LoadAsync(id)));

        // Content changed behind the workflow's back (a bug, a manual UPDATE): the check recomputes the hash.
        string connectionString;
        await using (var scope = _services.CreateAsyncScope())
            connectionString = scope.ServiceProvider.GetRequiredService<PublisherDbContext>().Database.GetConnectionString()!;
        await PostgresServer.ScalarAsync<object>(connectionString,
            $"""UPDATE "Variants" SET "RenderedText" = 'Something nobody approved' WHERE "Id" = '{id}'""");
        Assert.False(ApprovalService.IsFullyApproved(await LoadAsync(id)));
    }

    [Fact]
    public async Task Nobody_approves_a_variant_they_wrote_or_last_edited()
    {
        var id = await NewVariantAsync(VariantState.InReview);
        var authorAsApprover = _author with { Roles = [Roles.Approver] };
        var (byAuthor, _) = await ApproveAsync(id, authorAsApprover);
        Assert.False(byAuthor.Succeeded);
        Assert.Contains("You wrote this message", byAuthor.Error);

        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            var v = await db.Variants.SingleAsync(x => x.Id == id);
            v.LastEditedById = _approver.Id;
            await db.SaveChangesAsync();
        }
        var (byEditor, variant) = await ApproveAsync(id, _approver);
        Assert.False(byEditor.Succeeded);
        Assert.Contains("You edited this variant last", byEditor.Error);
        Assert.Equal(VariantState.InReview, variant.State);
        Assert.Empty((await LoadAsync(id)).Approvals);
    }

    [Fact]
    public async Task A_two_step_policy_needs_an_approver_then_a_brand_manager_in_that_order()
    {
        var id = await NewVariantAsync(VariantState.InReview, Roles.Approver, Roles.BrandManager);

        var (brandFirst, _) = await ApproveAsync(id, _brandManager);
        Assert.False(brandFirst.Succeeded);
        Assert.Contains("Step 1 of 2", brandFirst.Error);

        var (first, afterFirst) = await ApproveAsync(id, _approver);
        Assert.True(first.Succeeded, first.Error);
        Assert.Equal(VariantState.InReview, afterFirst.State);
        Assert.False(ApprovalService.IsFullyApproved(await LoadAsync(id)));

        var (anotherApprover, _) = await ApproveAsync(id, _secondApprover);
        Assert.False(anotherApprover.Succeeded);
        Assert.Contains("needs a BrandManager", anotherApprover.Error);

        var (second, afterSecond) = await ApproveAsync(id, _brandManager);
        Assert.True(second.Succeeded, second.Error);
        Assert.Equal(VariantState.Approved, afterSecond.State);
        Assert.True(ApprovalService.IsFullyApproved(await LoadAsync(id)));
    }

    [Fact]
    public async Task Rejecting_needs_a_comment_which_the_author_then_reads()
    {
        var id = await NewVariantAsync(VariantState.InReview);
        var (silent, _) = await ActAsync(id, (s, v) => s.RejectAsync(v, _approver.Actor, "  "));
        Assert.False(silent.Succeeded);
        Assert.Contains("needs a comment", silent.Error);

        var (rejected, variant) = await ActAsync(id, (s, v) => s.RejectAsync(v, _approver.Actor, "Saturday is wrong: it is Sunday."));
        Assert.True(rejected.Succeeded, rejected.Error);
        Assert.Equal(VariantState.Rejected, variant.State);

        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        Assert.Equal("Saturday is wrong: it is Sunday.", (await db.Comments.SingleAsync(c => c.VariantId == id)).Body);
        Assert.Contains(await db.Notifications.Where(n => n.UserId == _author.Id).ToListAsync(), n => n.Text.Contains("Saturday is wrong"));
    }

    [Fact]
    public async Task Style_guide_errors_block_submitting_and_approving()
    {
        var id = await NewVariantAsync();
        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            (await db.Variants.SingleAsync(v => v.Id == id)).HasStyleErrors = true;
            await db.SaveChangesAsync();
        }
        var (submitted, variant) = await ActAsync(id, (s, v) => s.SubmitAsync(v, _author.Actor));
        Assert.False(submitted.Succeeded);
        Assert.Contains("style guide", submitted.Error);
        Assert.Equal(VariantState.Draft, variant.State);
    }

    [Fact]
    public async Task A_variant_still_in_review_when_its_time_passes_becomes_missed_and_its_author_is_told()
    {
        var id = await NewVariantAsync(VariantState.InReview);
        await using (var scope = _services.CreateAsyncScope())
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<ReviewDeadlines>().MarkMissedAsync());

        _clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await using (var scope = _services.CreateAsyncScope())
            Assert.True(await scope.ServiceProvider.GetRequiredService<ReviewDeadlines>().MarkMissedAsync() >= 1);

        await using var check = _services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<PublisherDbContext>();
        Assert.Equal(VariantState.Missed, (await db.Variants.SingleAsync(v => v.Id == id)).State);
        Assert.Contains(await db.Notifications.Where(n => n.UserId == _author.Id).ToListAsync(), n => n.Text.Contains("was not published") && n.Link!.Contains(id.ToString()));
    }
}
