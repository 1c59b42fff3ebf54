using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace MetaCluster.AppHost;

/// <summary>
/// What the AppHost's command line may change (<c>dotnet run --project Deploy/AppHost -- --workers 3</c>);
/// every value has a default, so the plain command starts a working cluster.
/// </summary>
/// <param name="Workers">TaskWorker processes to start (<c>--workers</c>, 1 to 64; default 2).</param>
/// <param name="RedisPort">Loopback port of the membership Redis (<c>--redis-port</c>; default 6390, beside a system Redis on 6379).</param>
/// <param name="ApiPort">Loopback port of the coordinator's public gRPC API (<c>--api-port</c>; default 7100, what the CLI's verbs use).</param>
/// <param name="MetricsPort">The coordinator's /metrics and /healthz port (<c>--metrics-port</c>; default 9464); worker i uses this + i.</param>
/// <param name="SampleRatio">Share of meta-steps traced (<c>--sample-ratio</c>, parent-based, 0 to 1; default 1: every step).</param>
/// <param name="StateDirectory">Where the coordinator keeps runs (<c>--state-dir</c>; default cluster-state under the repository).</param>
public sealed record AppHostSettings(int Workers, int RedisPort, int ApiPort, int MetricsPort, double SampleRatio, string StateDirectory)
{
    /// <summary>Reads the settings; a bad value throws with one line naming the option.</summary>
    public static AppHostSettings From(IConfiguration configuration, string repositoryRoot) => new(
        Int(configuration, "workers", 2, 1, 64),
        Int(configuration, "redis-port", 6390, 1, 65535),
        Int(configuration, "api-port", 7100, 1, 65535),
        Int(configuration, "metrics-port", 9464, 1, 65535 - 64),
        Ratio(configuration, "sample-ratio", 1.0),
        Path.GetFullPath(configuration["state-dir"] ?? "cluster-state", repositoryRoot));

    private static int Int(IConfiguration configuration, string key, int fallback, int min, int max)
    {
        string? text = configuration[key];
        if (text is null) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"--{key}: expected an integer from {min} to {max}, got '{text}'");
    }

    private static double Ratio(IConfiguration configuration, string key, double fallback)
    {
        string? text = configuration[key];
        if (text is null) return fallback;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value is >= 0 and <= 1
            ? value
            : throw new ArgumentException($"--{key}: expected a number from 0 to 1, got '{text}'");
    }
}
