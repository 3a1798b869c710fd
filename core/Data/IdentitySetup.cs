using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Domain;

namespace Publisher.Core.Data;

public static class IdentitySetup
{
    /// <summary>The sign-in rules both the web app and the seeding use.</summary>
    public static void Configure(IdentityOptions options)
    {
        options.User.RequireUniqueEmail = true;
        options.Password.RequiredLength = 10;
        options.Password.RequireNonAlphanumeric = false;
        options.Password.RequireUppercase = false;
        options.Password.RequireDigit = true;
        options.Lockout.AllowedForNewUsers = true;
        options.Lockout.MaxFailedAccessAttempts = 5;
        options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
        options.SignIn.RequireConfirmedAccount = false;
    }

    /// <summary>User and role stores without cookies, for processes that manage users but serve no pages.</summary>
    public static IServiceCollection AddPublisherIdentityStores(this IServiceCollection services)
    {
        services.AddIdentityCore<AppUser>(Configure)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PublisherDbContext>()
            .AddUserManager<SessionEndingUserManager>();
        return services;
    }
}
