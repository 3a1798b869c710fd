using Publisher.Web.Analytics;
using Publisher.Web.Blog;
using Hangfire;
using Microsoft.AspNetCore.Identity;
using Publisher.Core;
using Publisher.Core.Analytics;
using Publisher.StyleGuide;
using Publisher.Templates;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Web.Api;
using Publisher.Web.Health;
using Publisher.Web.Pages.Calendar;
using Publisher.Web.Security;
using Publisher.Web.Time;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddCore(builder.Configuration);
builder.Services.AddTemplates();
builder.Services.AddStyleGuide();
builder.Services.AddAnalytics();
builder.Services.AddAnalyticsCollection();
builder.Services.AddHostedService<RendererWarmUp>();

builder.Services.AddIdentity<AppUser, IdentityRole>(IdentitySetup.Configure)
    .AddEntityFrameworkStores<PublisherDbContext>()
    .AddDefaultTokenProviders()
    .AddClaimsPrincipalFactory<DisplayNameClaims>();
builder.Services.ConfigureApplicationCookie(cookie =>
{
    cookie.LoginPath = "/Account/SignIn";
    cookie.LogoutPath = "/Account/SignOut";
    cookie.Cookie.Name = "publisher.auth";
    cookie.Cookie.HttpOnly = true;
    cookie.Cookie.SameSite = SameSiteMode.Lax;
    cookie.SlidingExpiration = true;
    cookie.ExpireTimeSpan = TimeSpan.FromHours(12);
    cookie.Events.OnRedirectToLogin = context =>
    {
        if (context.Request.Path.StartsWithSegments("/api"))
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        else
            context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    };
    // Signed in but not allowed: a plain 403 (the status page explains), never a redirect loop.
    cookie.Events.OnRedirectToAccessDenied = context =>
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    };
});
builder.Services.AddAuthorization(Policies.Add);
builder.Services.AddHostedService<FirstAdministrator>();
builder.Services.AddAntiforgery(o => o.HeaderName = "RequestVerificationToken");
builder.Services.AddRazorPages();
builder.Services.AddMemoryCache();
builder.Services.AddSingleton<WorkerHeartbeat>();
builder.Services.AddHttpContextAccessor();
builder.Services.AddScoped<UserTimeZone>();
builder.Services.AddScoped<Publisher.Web.Pages.Messages.MessageWriter>();
builder.Services.AddScoped<Publisher.Web.Pages.Calendar.Rescheduler>();
builder.Services.AddScoped<Publisher.Web.Pages.Calendar.CalendarCsvImport>();
builder.Services.AddHealthChecks()
    .AddDbContextCheck<PublisherDbContext>("database")
    .AddCheck<WorkerHeartbeat>("worker");

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Status/500");
    // API callers get a problem document they can show, not the HTML error page.
    app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.UseExceptionHandler(error => error.Run(context =>
        Results.Problem(statusCode: 500, title: "Something went wrong", detail: "The error has been logged. Try again; if it keeps happening, tell an administrator.")
            .ExecuteAsync(context))));
}
app.UseSecurityHeaders();
app.UseStatusCodePagesWithReExecute("/Status/{0}");
app.UseStaticFiles(new StaticFileOptions
{
    // /t.js is loaded by the brand's sites at a fixed address: an hour's caching, then a cheap revalidation.
    OnPrepareResponse = file =>
    {
        if (file.Context.Request.Path == "/t.js")
            file.Context.Response.Headers.CacheControl = "public, max-age=3600";
    },
});
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapRazorPages();
app.MapPublisherApi();
app.MapBlog();
app.MapAnalytics();
app.MapCalendarFeed();
app.MapPublisherHealth().AllowAnonymous();
app.MapHangfireDashboard("/jobs", new DashboardOptions
{
    Authorization = [new AdminDashboardAuthorizationFilter()],
    AppPath = "/",
    DashboardTitle = "Publisher jobs",
}).RequireAuthorization(Policies.Admin);

app.Run();

/// <summary>The web app's entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
