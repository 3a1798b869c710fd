namespace Publisher.Launcher;

/// <summary>What the run command reads from the environment; every setting has a default.</summary>
public sealed record LauncherSettings(string RepositoryRoot, string? DatabaseConnectionString, string DataFolder, string Url, string BuildConfiguration, bool SeedDemo = true, string? MasterKey = null)
{
    public static LauncherSettings FromEnvironment()
    {
        var root = FindRepositoryRoot();
        var data = Environment.GetEnvironmentVariable("PUBLISHER_DATA_DIR");
        var url = Environment.GetEnvironmentVariable("PUBLISHER_URL");
        // launcher/bin/<Configuration>/net10.0/: the web app and worker were built the same way.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Release";
        return new LauncherSettings(
            root,
            NullIfEmpty(Environment.GetEnvironmentVariable("PUBLISHER_DB")),
            string.IsNullOrWhiteSpace(data) ? Path.Combine(root, ".data") : Path.GetFullPath(data),
            string.IsNullOrWhiteSpace(url) ? "http://127.0.0.1:5080" : url,
            configuration,
            // PUBLISHER_DEMO=false: migrate only, for a real installation on its own database.
            !string.Equals(Environment.GetEnvironmentVariable("PUBLISHER_DEMO"), "false", StringComparison.OrdinalIgnoreCase),
            NullIfEmpty(Environment.GetEnvironmentVariable("PUBLISHER_MASTER_KEY")));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Publisher.sln")))
                    return dir.FullName;
            }
        }
        throw new InvalidOperationException("Run Publisher from its checkout: Publisher.sln was not found above " + AppContext.BaseDirectory);
    }
}
