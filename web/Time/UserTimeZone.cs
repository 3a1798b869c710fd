using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;

namespace Publisher.Web.Time;

/// <summary>The zone a user sees times in: their own if they chose one, otherwise the brand's.</summary>
public sealed class UserTimeZone(PublisherDbContext db, IHttpContextAccessor http)
{
    private TimeZoneInfo? _zone;

    public async Task<TimeZoneInfo> GetAsync()
    {
        if (_zone is not null)
            return _zone;
        var userId = http.HttpContext?.User.FindFirstValue(ClaimTypes.NameIdentifier);
        var chosen = userId is null ? null : await db.Users.Where(u => u.Id == userId).Select(u => u.TimeZone).FirstOrDefaultAsync();
        var id = chosen ?? await db.Brands.OrderBy(b => b.Id).Select(b => b.TimeZone).FirstOrDefaultAsync() ?? "UTC";
        _zone = TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
        return _zone;
    }
}
