using Npgsql;
using Publisher.Core.Database;

namespace Publisher.Core.Tests.Database;

/// <summary>The run command's database bootstrap, exercised through the very class it calls.</summary>
public class LocalPostgresClusterTests
{
    [Fact]
    public async Task Starts_a_cluster_from_an_empty_folder_then_reuses_it_with_its_data_after_a_stop()
    {
        var folder = Path.Combine(Path.GetTempPath(), "publisher-bootstrap-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Assert.False(Directory.Exists(folder));
            string password;
            await using (var cluster = await LocalPostgresCluster.StartAsync(folder, durable: false))
            {
                password = cluster.Password;
                Assert.True(File.Exists(Path.Combine(cluster.DataDirectory, "PG_VERSION")));
                await using var connection = new NpgsqlConnection(cluster.ConnectionString("publisher"));
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')", connection);
                await create.ExecuteNonQueryAsync();
                Assert.Equal("127.0.0.1", cluster.ConnectionString("x").Split(';').Single(p => p.StartsWith("Host=")).Split('=')[1]);
            }

            await using (var again = await LocalPostgresCluster.StartAsync(folder, durable: false))
            {
                Assert.Equal(password, again.Password);
                await using var connection = new NpgsqlConnection(again.ConnectionString("publisher"));
                await connection.OpenAsync();
                await using var read = new NpgsqlCommand("SELECT v FROM kept", connection);
                Assert.Equal("still here", await read.ExecuteScalarAsync());
            }
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_wrong_password_is_refused_so_the_private_server_is_not_open_to_anyone_on_the_machine()
    {
        var folder = Path.Combine(Path.GetTempPath(), "publisher-auth-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await using var cluster = await LocalPostgresCluster.StartAsync(folder, durable: false);
            var wrong = new NpgsqlConnectionStringBuilder(cluster.ConnectionString("publisher")) { Password = "not-the-password" };
            await using var connection = new NpgsqlConnection(wrong.ConnectionString);
            var error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
            Assert.Equal("28P01", error.SqlState); // invalid_password
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Missing_binaries_are_reported_with_the_package_to_install()
    {
        var empty = Directory.CreateTempSubdirectory().FullName;
        Assert.Null(PostgresBinaries.Find(path: empty, debianRoot: Path.Combine(empty, "nothing-here")));
        var message = new PostgresNotInstalledException().Message;
        Assert.Contains("apt-get install postgresql", message);
        Assert.Contains("PUBLISHER_DB", message);
    }

    [Fact]
    public void Binaries_are_found_in_debians_versioned_folders_newest_first()
    {
        var root = Directory.CreateTempSubdirectory().FullName;
        foreach (var version in new[] { "13", "15" })
        {
            var bin = Directory.CreateDirectory(Path.Combine(root, version, "bin")).FullName;
            File.WriteAllText(Path.Combine(bin, "initdb"), "");
            File.WriteAllText(Path.Combine(bin, "pg_ctl"), "");
        }
        Assert.Equal(Path.Combine(root, "15", "bin"), PostgresBinaries.Find(path: "", debianRoot: root)?.Directory);
    }

    [Fact]
    public async Task Stopping_a_server_someone_else_already_stopped_says_so_and_does_not_fail()
    {
        var folder = Path.Combine(Path.GetTempPath(), "publisher-stopped-" + Guid.NewGuid().ToString("N")[..8]);
        var said = new List<string>();
        try
        {
            await using var cluster = await LocalPostgresCluster.StartAsync(folder, durable: false, log: line => { lock (said) said.Add(line); });
            var pidFile = Path.Combine(cluster.DataDirectory, "postmaster.pid");
            var postmaster = System.Diagnostics.Process.GetProcessById(int.Parse(File.ReadLines(pidFile).First()));
            // A fast shutdown, as an admin's `pg_ctl stop` would ask for it.
            using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", postmaster.Id.ToString()]))
                await kill.WaitForExitAsync();
            await postmaster.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.False(File.Exists(pidFile));

            await cluster.StopAsync();

            lock (said)
                Assert.Contains("PostgreSQL had already stopped.", said);
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }
}
