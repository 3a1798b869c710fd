using Hangfire;
using Publisher.Core;
using Publisher.Core.Analytics;
using Publisher.Core.Jobs;
using Publisher.Worker.Analytics;
using Publisher.Worker.Connect;
using Publisher.Worker.Maintenance;
using Publisher.Worker.Publishing;

// The worker: a Hangfire server on the shared PostgreSQL. Run as many as you like, on as many
// machines as you like, against one database: Hangfire hands each job to exactly one of them.
// Settings come from the worker's own folder, wherever it is started from.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.Services.AddCore(builder.Configuration);
builder.Services.AddPublishing();
// First, so it stops last: the other workers take over what this one leaves only once it stops beating.
builder.Services.AddHostedService(sp => sp.GetRequiredService<PublishWorkerHeartbeat>());
builder.Services.AddHangfireServer(server =>
{
    server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
    server.Queues = JobQueues.All;
    server.WorkerCount = builder.Configuration.GetValue("Worker:Count", Math.Max(4, Environment.ProcessorCount * 4));
    // Delayed jobs are moved to their queue within this long after they come due.
    server.SchedulePollingInterval = builder.Configuration.GetValue("Worker:SchedulePollingInterval", TimeSpan.FromMilliseconds(500));
});

builder.Services.AddScoped<MaintenanceJobs>();
builder.Services.AddAnalytics();
builder.Services.AddScoped<AnalyticsJobs>();
builder.Services.AddScoped<EngagementJob>();
builder.Services.AddScoped<TokenRefreshJob>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<PublishSweeper>());
builder.Services.AddHostedService<DueDispatcher>();

var host = builder.Build();
MaintenanceJobs.Schedule(host.Services.GetRequiredService<IRecurringJobManager>());
AnalyticsJobs.Schedule(host.Services.GetRequiredService<IRecurringJobManager>());
EngagementJob.Schedule(host.Services.GetRequiredService<IRecurringJobManager>());
TokenRefreshJob.Schedule(host.Services.GetRequiredService<IRecurringJobManager>());
host.Run();
