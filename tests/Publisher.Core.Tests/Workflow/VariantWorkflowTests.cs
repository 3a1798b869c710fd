using Microsoft.EntityFrameworkCore;
using Npgsql;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;
using Publisher.Testing;

namespace Publisher.Core.Tests.Workflow;

[Collection(PostgresCollection.Name)]
public class VariantWorkflowTests(PostgresServer postgres) : IAsyncLifetime
{
    private string _db = "";

    public async Task InitializeAsync() => _db = await postgres.CreateMigratedDatabaseAsync("workflow");

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<Guid> SeedVariantAsync(VariantState state = VariantState.Draft)
    {
        await using var db = PostgresServer.NewContext(_db);
        var user = new AppUser { UserName = $"u{Guid.NewGuid():N}", Email = $"{Guid.NewGuid():N}@example.test", DisplayName = "Writer" };
        db.Users.Add(user);
        var account = new ChannelAccount { Name = $"X {Guid.NewGuid():N}", Kind = "X" };
        db.ChannelAccounts.Add(account);
        var message = new Message { Title = "Hello", AuthorId = user.Id, TimeZone = "Europe/Paris" };
        var variant = new Variant { MessageId = message.Id, ChannelAccountId = account.Id, RenderedText = "Hello world", State = state };
        message.Variants.Add(variant);
        db.Messages.Add(message);
        await db.SaveChangesAsync();
        return variant.Id;
    }

    [Fact]
    public async Task A_transition_changes_the_state_and_writes_an_audit_event_with_who_when_from_to_and_why()
    {
        var id = await SeedVariantAsync();
        var before = DateTimeOffset.UtcNow;
        await using (var db = PostgresServer.NewContext(_db))
        {
            var variant = await db.Variants.SingleAsync(v => v.Id == id);
            var result = new VariantWorkflow(db, TimeProvider.System).Transition(variant, VariantState.InReview, new Actor("user-1", "Max"), "ready");
            Assert.True(result.Succeeded, result.Error);
            await db.SaveChangesAsync();
        }

        await using (var db = PostgresServer.NewContext(_db))
        {
            Assert.Equal(VariantState.InReview, (await db.Variants.SingleAsync(v => v.Id == id)).State);
            var audit = await db.AuditEvents.SingleAsync(a => a.EntityId == id.ToString());
            Assert.Equal(("user-1", "Max", "Draft", "InReview", "ready"), (audit.ActorId, audit.ActorName, audit.FromState, audit.ToState, audit.Reason));
            Assert.InRange(audit.At, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        }
    }

    [Fact]
    public async Task An_illegal_transition_is_refused_and_changes_nothing()
    {
        var id = await SeedVariantAsync();
        await using var db = PostgresServer.NewContext(_db);
        var variant = await db.Variants.SingleAsync(v => v.Id == id);
        var result = new VariantWorkflow(db, TimeProvider.System).Transition(variant, VariantState.Published, Actor.System);
        Assert.False(result.Succeeded);
        Assert.Contains("cannot become published", result.Error);
        await db.SaveChangesAsync();

        await using var check = PostgresServer.NewContext(_db);
        Assert.Equal(VariantState.Draft, (await check.Variants.SingleAsync(v => v.Id == id)).State);
        Assert.False(await check.AuditEvents.AnyAsync(a => a.EntityId == id.ToString()));
    }

    [Fact]
    public async Task The_audit_log_refuses_updates_and_deletes_at_the_database()
    {
        var id = await SeedVariantAsync();
        await using (var db = PostgresServer.NewContext(_db))
        {
            var variant = await db.Variants.SingleAsync(v => v.Id == id);
            new VariantWorkflow(db, TimeProvider.System).Transition(variant, VariantState.InReview, Actor.System);
            await db.SaveChangesAsync();
        }

        var update = await Assert.ThrowsAsync<PostgresException>(() =>
            PostgresServer.ScalarAsync<object>(_db, """UPDATE "AuditEvents" SET "Reason" = 'rewritten'"""));
        Assert.Contains("append-only", update.MessageText);
        var delete = await Assert.ThrowsAsync<PostgresException>(() =>
            PostgresServer.ScalarAsync<object>(_db, """DELETE FROM "AuditEvents" """));
        Assert.Contains("append-only", delete.MessageText);
        Assert.Equal(1L, await PostgresServer.ScalarAsync<long>(_db, $"""SELECT count(*) FROM "AuditEvents" WHERE "EntityId" = '{id}'"""));
    }

    [Fact]
    public async Task Two_people_saving_the_same_variant_cannot_silently_overwrite_each_other()
    {
        var id = await SeedVariantAsync();
        await using var first = PostgresServer.NewContext(_db);
        await using var second = PostgresServer.NewContext(_db);
        var mine = await first.Variants.SingleAsync(v => v.Id == id);
        var theirs = await second.Variants.SingleAsync(v => v.Id == id);

        mine.ManualOverride = "My edit";
        await first.SaveChangesAsync();

        theirs.ManualOverride = "Their edit";
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());

        await using var check = PostgresServer.NewContext(_db);
        Assert.Equal("My edit", (await check.Variants.SingleAsync(v => v.Id == id)).ManualOverride);
    }

    [Fact]
    public async Task Scheduled_instants_are_stored_as_utc_timestamptz_beside_the_authors_zone()
    {
        var id = await SeedVariantAsync();
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        // 09:00 in Paris on a summer day is 07:00 UTC.
        var nineInParis = new DateTimeOffset(2026, 7, 1, 9, 0, 0, paris.GetUtcOffset(new DateTime(2026, 7, 1, 9, 0, 0)));
        await using (var db = PostgresServer.NewContext(_db))
        {
            var variant = await db.Variants.SingleAsync(v => v.Id == id);
            variant.ScheduledAt = nineInParis.ToUniversalTime();
            await db.SaveChangesAsync();
        }

        Assert.Equal("timestamp with time zone", await PostgresServer.ScalarAsync<string>(_db,
            """SELECT data_type FROM information_schema.columns WHERE table_name = 'Variants' AND column_name = 'ScheduledAt'"""));
        Assert.Equal("2026-07-01 07:00:00", await PostgresServer.ScalarAsync<string>(_db,
            $"""SELECT to_char("ScheduledAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM "Variants" WHERE "Id" = '{id}'"""));

        await using var check = PostgresServer.NewContext(_db);
        var stored = await check.Variants.Include(v => v.Message).SingleAsync(v => v.Id == id);
        Assert.Equal(nineInParis, stored.ScheduledAt);
        var local = TimeZoneInfo.ConvertTime(stored.ScheduledAt!.Value, TimeZoneInfo.FindSystemTimeZoneById(stored.Message!.TimeZone));
        Assert.Equal(new TimeSpan(9, 0, 0), local.TimeOfDay);
    }

    [Fact]
    public void The_content_hash_changes_with_any_published_field()
    {
        var account = Guid.NewGuid();
        var baseline = ContentHash.Of(account, "text", null, null, []);
        Assert.Equal(baseline, ContentHash.Of(account, "text", null, null, []));
        Assert.NotEqual(baseline, ContentHash.Of(account, "text!", null, null, []));
        Assert.NotEqual(baseline, ContentHash.Of(Guid.NewGuid(), "text", null, null, []));
        Assert.NotEqual(baseline, ContentHash.Of(account, "text", "", null, []));
        Assert.NotEqual(baseline, ContentHash.Of(account, "text", null, null, ["text"]));
        Assert.NotEqual(ContentHash.Of(account, "ab", "c", null, []), ContentHash.Of(account, "a", "bc", null, []));
    }
}
