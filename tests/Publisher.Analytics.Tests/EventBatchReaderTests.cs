using System.Text.Json;
using Publisher.Analytics.Events;
using Publisher.Analytics.Links;

namespace Publisher.Analytics.Tests;

public class EventBatchReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Oldest = Now.AddMonths(-13);

    private static (IReadOnlyList<ReportedConversion> Events, IReadOnlyList<EventProblem> Problems) Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return EventBatchReader.Read(document.RootElement, Now, Oldest);
    }

    [Fact]
    public void A_good_batch_is_read_with_its_identities_and_defaults()
    {
        var click = ClickIds.Format(Guid.CreateVersion7());
        var (events, problems) = Read($$"""
            {"events":[
              {"id":"lead-7","type":"qualified","emailSha256":"{{new string('A', 64)}}"},
              {"id":"order-1001","type":"sale","time":"2026-11-19T08:30:00+01:00","value":42.5,"currency":"EUR","clickId":"{{click}}","visitorId":"v_abc-123"}
            ]}
            """);

        Assert.Empty(problems);
        Assert.Equal(2, events.Count);
        Assert.Equal(ConversionKind.Qualified, events[0].Kind);
        Assert.Equal(Now, events[0].At);
        Assert.Equal(new string('a', 64), events[0].EmailSha256);
        var sale = events[1];
        Assert.Equal(new DateTimeOffset(2026, 11, 19, 7, 30, 0, TimeSpan.Zero), sale.At);
        Assert.Equal(42.5m, sale.Value);
        Assert.Equal("EUR", sale.Currency);
        Assert.True(ClickIds.TryParse(click, out var parsed));
        Assert.Equal(parsed, sale.ClickId);
        Assert.Equal("v_abc-123", sale.VisitorId);
    }

    [Fact]
    public void Every_bad_event_and_field_is_named_and_nothing_of_the_batch_is_kept()
    {
        var (events, problems) = Read("""
            {"events":[
              {"id":"ok-1","type":"sale","value":10,"currency":"EUR"},
              {"id":"bad-type","type":"purchase"},
              {"id":"bad-value","type":"sale","value":-5,"currency":"EUR"},
              {"id":"text-value","type":"sale","value":"12.00","currency":"EUR"},
              {"id":"bad-currency","type":"sale","value":3,"currency":"EURO"},
              {"id":"future","type":"contact","time":"2026-11-22T12:00:01Z"},
              {"type":"contact"},
              {"id":"typo","type":"contact","clickid":"x"},
              {"id":"no-currency","type":"sale","value":3}
            ]}
            """);

        Assert.Empty(events);
        var named = problems.Select(p => (p.Index, p.EventId, p.Field)).ToList();
        Assert.Equal(
            [
                (1, "bad-type", "type"), (2, "bad-value", "value"), (3, "text-value", "value"), (4, "bad-currency", "currency"),
                (5, "future", "time"), (6, null, "id"), (7, "typo", "clickid"), (8, "no-currency", "currency"),
            ], named);
        Assert.Contains("\"purchase\"", problems[0].Message);
        Assert.Contains("more than a day ahead", problems.Single(p => p.Field == "time").Message);
    }

    [Theory]
    [InlineData("[]", "events")]
    [InlineData("""{"events":[]}""", "events")]
    [InlineData("""{"events":{}}""", "events")]
    public void A_batch_without_events_is_refused(string json, string field)
    {
        var (events, problems) = Read(json);
        Assert.Empty(events);
        Assert.Equal(field, Assert.Single(problems).Field);
    }

    [Fact]
    public void More_than_a_thousand_events_are_refused_as_one_problem()
    {
        var body = "{\"events\":[" + string.Join(',', Enumerable.Range(0, 1001).Select(i => $"{{\"id\":\"e{i}\",\"type\":\"contact\"}}")) + "]}";
        var (events, problems) = Read(body);
        Assert.Empty(events);
        Assert.Contains("1,001", Assert.Single(problems).Message);
        Assert.Equal(1000, Read("{\"events\":[" + string.Join(',', Enumerable.Range(0, 1000).Select(i => $"{{\"id\":\"e{i}\",\"type\":\"contact\"}}")) + "]}").Events.Count);
    }

    [Fact]
    public void An_event_older_than_the_retention_period_is_refused()
    {
        var (_, problems) = Read("""{"events":[{"id":"old","type":"contact","time":"2025-01-01T00:00:00Z"}]}""");
        Assert.Equal("time", Assert.Single(problems).Field);
    }
}
