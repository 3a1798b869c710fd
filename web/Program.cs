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
using Publisher.Web.Media;
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
    .AddClaimsPrincipalFactory<DisplayNameClaims>()
    .AddUserManager<SessionEndingUserManager>();
builder.Services.AddScoped<DecoyPasswordCheck>();
// Sign-in asks ActiveAccounts whether the account may sign in: deactivated ones may not.
builder.Services.Configure<IdentityOptions>(options => options.SignIn.RequireConfirmedAccount = true);
builder.Services.AddScoped<IUserConfirmation<AppUser>, ActiveAccounts>();
builder.Services.ConfigureApplicationCookie(cookie =>
{
    cookie.LoginPath = "/Account/SignIn";
    cookie.LogoutPath = "/Account/SignOut";
    cookie.Cookie.Name = "publisher.auth";
    cookie.Cookie.HttpOnly = true;
    cookie.Cookie.SameSite = SameSiteMode.Lax;
    cookie.SlidingExpiration = true;
    cookie.ExpireTimeSpan = TimeSpan.FromHours(12);
    // Every request checks the session still stands (see SessionValidation for why every request).
    cookie.Events.OnValidatePrincipal = SessionValidation.ValidateAsync;
    cookie.Events.OnRedirectToLogin = context =>
    {
        if (!context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        }
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not signed in",
            detail: "Sign in to Publisher first; a session ends when you sign out or your access changes.").ExecuteAsync(context.HttpContext);
    };
    // Signed in but not allowed: a 403, never a redirect loop. Pages get the status page, which tells someone
    // without any role that they have no access yet; the API gets a problem document saying the same.
    cookie.Events.OnRedirectToAccessDenied = context =>
    {
        if (!context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }
        var noRole = context.HttpContext.User.Roles().Count == 0;
        return Results.Problem(statusCode: StatusCodes.Status403Forbidden,
            title: noRole ? "No access yet" : "Not allowed",
            detail: noRole
                ? "Your account has no role yet, so it may not use Publisher. Ask an administrator to give you a role, then sign in again."
                : "Your roles do not include this. If you need it, ask an administrator to add the role to your account.").ExecuteAsync(context.HttpContext);
    };
});
builder.Services.AddAuthorization(Policies.Add);
builder.Services.AddHostedService<FirstAdministrator>();
builder.Services.AddAntiforgery(o => o.HeaderName = "RequestVerificationToken");
// API bodies: no JSON nested deeper than any request needs (the default is 64), and a body that cannot be read
// throws, so InputGuard answers it with a problem document that says what was wrong.
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.MaxDepth = 32);
builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddRazorPages();
builder.Services.AddMemoryCache();
builder.Services.AddSingleton<WorkerHeartbeat>();
builder.Services.AddSingleton<Publisher.Web.Api.PreviewDocuments>();
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
// An error without a body becomes the status page, or for /api a problem document: never HTML to a script.
app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api"), pages => pages.UseStatusCodePagesWithReExecute("/Status/{0}"));
app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages(ApiProblems.WriteAsync));
app.UseSiteScriptCompression();
app.UseStaticFiles();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseInputGuard();
app.UseAntiforgery();

app.MapRazorPages();
app.MapPublisherApi();
app.MapBlog();
app.MapAnalytics();
app.MapMedia();
app.MapLinkCards();
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
