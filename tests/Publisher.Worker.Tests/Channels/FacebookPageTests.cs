using Microsoft.AspNetCore.WebUtilities;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.FacebookPage;

namespace Publisher.Worker.Tests.Channels;

public sealed class FacebookPageTests : IAsyncLifetime
{
    private readonly FakeFacebookGraphApi _graph = new();
    private readonly FacebookPageClient _client = ChannelKit.Client<FacebookPageClient>();

    private ChannelConnection Connection(string? pageId = null, string? version = null)
    {
        var settings = new Dictionary<string, string> { ["page_id"] = pageId ?? _graph.PageId };
        if (version is not null) settings["graph_version"] = version;
        return ChannelKit.Connection(ChannelKind.FacebookPage, _graph.BaseUri, _graph.Credentials, settings);
    }

    [Fact]
    public async Task A_post_is_a_form_with_message_link_and_page_token()
    {
        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), "Autumn sale & more", link: "https://example.com/sale?utm_source=facebook"), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var post = Assert.Single(_graph.Posts);
        Assert.Equal(post.Id, result.ExternalId);
        Assert.Equal($"https://www.facebook.com/{post.Id}", result.ExternalUrl);
        Assert.Equal("Autumn sale & more", post.Message);
        Assert.Equal("https://example.com/sale?utm_source=facebook", post.Link);
        var sent = Assert.Single(_graph.Requests);
        Assert.Equal($"/{FacebookPageClient.DefaultGraphVersion}/{_graph.PageId}/feed", sent.Path);
        Assert.Equal(_graph.PageAccessToken, QueryHelpers.ParseQuery(sent.Body)["access_token"].ToString());
    }

    [Fact]
    public async Task Without_a_link_no_link_field_is_sent_and_the_graph_version_setting_is_used()
    {
        await _client.PublishAsync(ChannelKit.Request(Connection(version: "v22.0"), "Just text"), new RecordingProgress(), CancellationToken.None);

        var sent = Assert.Single(_graph.Requests);
        Assert.StartsWith("/v22.0/", sent.Path);
        Assert.False(QueryHelpers.ParseQuery(sent.Body).ContainsKey("link"));
    }

    [Fact]
    public async Task A_wrong_page_is_permanent_with_Graphs_message()
    {
        var result = await _client.PublishAsync(ChannelKit.Request(Connection(pageId: "42")), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("Object with ID '42' does not exist", result.Detail);
    }

    [Fact]
    public async Task Graphs_page_rate_limit_is_transient_although_it_comes_as_a_400()
    {
        _graph.FailNext(1, 400, FakeFacebookGraphApi.RateLimitBody);

        var result = await _client.PublishAsync(ChannelKit.Request(Connection()), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
        Assert.Contains("Page request limit reached", result.Detail);
    }

    [Fact]
    public async Task Reconcile_is_unknown_and_the_connection_test_names_the_page()
    {
        var verdict = await _client.ReconcileAsync(ChannelKit.Request(Connection()), CancellationToken.None);
        var check = await _client.TestConnectionAsync(Connection(), CancellationToken.None);

        Assert.Equal(ReconcileVerdict.Unknown, verdict.Verdict);
        Assert.True(check.Ok);
        Assert.Contains(_graph.PageName, check.Message);
        Assert.Equal("?fields=name&access_token=" + _graph.PageAccessToken, Assert.Single(_graph.Requests).QueryString);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _graph.DisposeAsync();
}
