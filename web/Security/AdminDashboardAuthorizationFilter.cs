using Hangfire.Dashboard;
using Publisher.Core.Domain;

namespace Publisher.Web.Security;

/// <summary>
/// A second lock on the job dashboard: the endpoint already requires the Admin policy, and Hangfire
/// checks again itself, so a routing mistake cannot open it.
/// </summary>
public sealed class AdminDashboardAuthorizationFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Roles.Admin);
}
