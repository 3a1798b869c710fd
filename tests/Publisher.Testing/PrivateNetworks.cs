namespace Publisher.Testing;

/// <summary>
/// Fakes listen on 127.0.0.1, and Publisher refuses to connect to loopback and private addresses unless
/// Publishing:AllowPrivateNetworks is true. A test that points Publisher at a fake turns it on explicitly with
/// these names, so every place the rule is relaxed is visible.
/// </summary>
public static class PrivateNetworks
{
    /// <summary>For a process's environment (a worker process, the launcher).</summary>
    public const string EnvironmentVariable = "Publishing__AllowPrivateNetworks";

    /// <summary>For an in-process configuration (a harness's settings, a web app's UseSetting).</summary>
    public const string ConfigurationKey = "Publishing:AllowPrivateNetworks";
}
