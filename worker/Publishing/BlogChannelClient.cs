using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Templates.Channels;
using Publisher.Templates.Rendering;
using Publisher.Worker.Channels;

namespace Publisher.Worker.Publishing;

/// <summary>
/// The brand's blog lives in the web app: publishing gives the variant its address (a slug from the title)
/// and the Published state, which puts it on /blog and in /blog/feed.atom. Nothing leaves the machine.
/// </summary>
public sealed class BlogChannelClient(IServiceScopeFactory scopes, IOptions<PublishingOptions> options) : IChannelClient
{
    public ChannelKind Kind => ChannelKind.Blog;

    public async Task<PublishResult> PublishAsync(PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var stem = Slugs.FromTitle(request.Title);
        if (stem.Length == 0)
            stem = "post";
        var taken = await db.Variants
            .Where(v => v.Id != request.VariantId && v.ChannelAccount!.Kind == nameof(ChannelKind.Blog) && v.ExternalId != null && v.ExternalId.StartsWith(stem))
            .Select(v => v.ExternalId!)
            .ToListAsync(cancellationToken);
        var slug = stem;
        for (var n = 2; taken.Contains(slug); n++)
            slug = $"{stem}-{n}";
        return PublishResult.Published(slug, $"{options.Value.PublicUrl}/blog/{slug}");
    }

    public Task<ReconcileResult> ReconcileAsync(PublishRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new ReconcileResult(ReconcileVerdict.SafeToRetry, Detail: "the blog is local: publishing again only assigns its address"));

    public Task<ConnectionCheck> TestConnectionAsync(ChannelConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult(new ConnectionCheck(true, $"The blog is served by Publisher itself at {options.Value.PublicUrl}/blog."));
}
