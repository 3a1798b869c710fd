using Hangfire;
using Publisher.Core.Email;
using Publisher.Core.Review;

namespace Publisher.Worker.Maintenance;

/// <summary>Recurring work every worker can pick up; Hangfire runs each occurrence on one worker only.</summary>
public sealed class MaintenanceJobs(ReviewDeadlines deadlines, NotificationMailer mailer)
{
    /// <summary>Variants still in review when their time passes become Missed, and their authors are told.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public Task MarkMissedAsync(CancellationToken cancellationToken) => deadlines.MarkMissedAsync(cancellationToken);

    /// <summary>Notifications not emailed yet go out over SMTP (when email is on).</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)] // the next minute's run is the retry
    public Task SendNotificationEmailsAsync(CancellationToken cancellationToken) => mailer.SendPendingAsync(cancellationToken);

    public static void Schedule(IRecurringJobManager jobs)
    {
        jobs.AddOrUpdate<MaintenanceJobs>("review-deadlines", j => j.MarkMissedAsync(CancellationToken.None), Cron.Minutely());
        jobs.AddOrUpdate<MaintenanceJobs>("notification-emails", j => j.SendNotificationEmailsAsync(CancellationToken.None), Cron.Minutely());
    }
}
