using System.Runtime.InteropServices;
using Publisher.Launcher;

// The run command: a private PostgreSQL unless PUBLISHER_DB is set, migrations and demo data,
// then the worker and the web app, until Ctrl-C stops everything this started.
using var stopping = new CancellationTokenSource();
using var hurry = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    // The first signal stops everything gracefully; a second one kills what is still stopping.
    if (stopping.IsCancellationRequested)
        hurry.Cancel();
    else
        stopping.Cancel();
}
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

return await new Launcher(LauncherSettings.FromEnvironment(), Console.Out).RunAsync(stopping.Token, hurry.Token);
