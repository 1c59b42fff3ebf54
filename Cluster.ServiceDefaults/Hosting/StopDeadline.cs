using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MetaCluster.ServiceDefaults.Hosting;

/// <summary>
/// Bounds a process's stop path. The host's shutdown timeout only cancels a token: a stop that
/// ignores it (Orleans retrying a membership write while Redis is down) kept <c>serve</c> and
/// TaskWorker stopping for minutes, and Kubernetes would have killed them mid-write. Past the
/// deadline the process ends at once, with exit code 3.
/// </summary>
public static class StopDeadline
{
    /// <summary>How long the graceful part may take (the host's shutdown timeout).</summary>
    public static readonly TimeSpan Graceful = TimeSpan.FromSeconds(20);

    /// <summary>When the process ends whatever it is doing, counted from the stop request.</summary>
    public static readonly TimeSpan Hard = TimeSpan.FromSeconds(30);

    /// <summary>The exit code of a process whose stop ran past <see cref="Hard"/>.</summary>
    public const int ExitCode = 3;

    /// <summary>Sets the host's shutdown timeout to <see cref="Graceful"/>.</summary>
    public static void Configure(IServiceCollection services) =>
        services.Configure<HostOptions>(o => o.ShutdownTimeout = Graceful);

    /// <summary>Arms the deadline when <paramref name="host"/> begins to stop.</summary>
    public static void Arm(IHost host)
    {
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStopping.Register(() =>
        {
            var watchdog = new Thread(() =>
            {
                Thread.Sleep(Hard);
                Console.Error.WriteLine($"error: stopping took more than {Hard.TotalSeconds:0} s; exiting without finishing it");
                Console.Error.Flush();
                Exit();
            })
            { IsBackground = true, Name = "stop deadline" };
            watchdog.Start();
        });
    }

    // Environment.Exit would wait for the very host shutdown that hangs (the console lifetime's
    // process-exit handler blocks on it); _exit ends the process without running anything more.
    private static void Exit()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) ExitNow(ExitCode);
        System.Diagnostics.Process.GetCurrentProcess().Kill();
    }

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void ExitNow(int status);
}
