namespace MetaCluster.Testing.Processes;

/// <summary>
/// System programs some tests need (Debian packages). The repository's ensure-* scripts install
/// them only as root (CI); anywhere else a test that needs a missing one is skipped with the command
/// to install it, and no test ever runs sudo.
/// </summary>
public static class SystemPackages
{
    /// <summary>Why <paramref name="command"/> cannot be had here, with the install command; null where it is on PATH or the scripts may install it (root).</summary>
    public static string? Missing(string command, string aptPackage) => Missing(command, aptPackage, Environment.IsPrivilegedProcess);

    /// <summary>As <see cref="Missing(string, string)"/>, for a process that is root or not.</summary>
    public static string? Missing(string command, string aptPackage, bool root)
    {
        if (root || OnPath(command)) return null;
        return $"{command} is not installed and tests do not run sudo: install it with 'sudo apt-get install {aptPackage}' " +
               "(the Deploy/scripts/ensure-* scripts install it themselves when run as root, as CI does)";
    }

    /// <summary>Null where redis-server can be had; else why not and how to install it.</summary>
    public static string? RedisMissing => Missing("redis-server", "redis-server");

    /// <summary>Null where prometheus can be had; else why not and how to install it.</summary>
    public static string? PrometheusMissing => Missing("prometheus", "prometheus");

    private static bool OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, command)));
}
