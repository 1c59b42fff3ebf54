using Microsoft.Extensions.Logging;

namespace MetaCluster.ServiceDefaults.Hosting;

/// <summary>Console logging of the long-running processes (coordinator, workers): one line per entry, framework noise at warning.</summary>
public static class ServiceLogging
{
    /// <summary>Replaces the default providers with single-line console logging.</summary>
    public static ILoggingBuilder AddServiceConsole(this ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Orleans", LogLevel.Warning);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Polly", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        return logging;
    }
}
