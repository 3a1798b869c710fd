namespace Publisher.Core.Database;

/// <summary>Where this machine keeps PostgreSQL's server programs (initdb, pg_ctl).</summary>
public sealed record PostgresBinaries(string Directory)
{
    public string InitDb => Path.Combine(Directory, "initdb");
    public string PgCtl => Path.Combine(Directory, "pg_ctl");

    public const string InstallHint =
        "PostgreSQL server programs (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql/*/bin. " +
        "Install them with `sudo apt-get install postgresql` (Debian/Ubuntu), or set PUBLISHER_DB to the connection string of an existing database.";

    /// <summary>Looks on PATH first, then in Debian's versioned folders, newest version first.</summary>
    public static PostgresBinaries? Find() =>
        Find(Environment.GetEnvironmentVariable("PATH") ?? "", "/usr/lib/postgresql");

    /// <summary>Looks in the folders of <paramref name="path"/>, then under <paramref name="debianRoot"/>/*/bin.</summary>
    public static PostgresBinaries? Find(string path, string debianRoot)
    {
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (IsComplete(dir))
                return new PostgresBinaries(dir);
        }

        if (!System.IO.Directory.Exists(debianRoot))
            return null;
        var candidates = System.IO.Directory.GetDirectories(debianRoot)
            .Select(d => (dir: Path.Combine(d, "bin"), version: double.TryParse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 0))
            .Where(c => IsComplete(c.dir))
            .OrderByDescending(c => c.version);
        return candidates.Select(c => new PostgresBinaries(c.dir)).FirstOrDefault();
    }

    private static bool IsComplete(string dir) =>
        File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));
}
