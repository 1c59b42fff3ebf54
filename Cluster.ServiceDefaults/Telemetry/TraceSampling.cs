using System.Globalization;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Trace;

namespace MetaCluster.ServiceDefaults.Telemetry;

/// <summary>
/// The trace sampler from the standard variables <c>OTEL_TRACES_SAMPLER</c> and
/// <c>OTEL_TRACES_SAMPLER_ARG</c> (<c>always_on</c>, <c>always_off</c>, <c>traceidratio</c> and their
/// <c>parentbased_</c> forms). The default keeps every trace of a parent-based decision. The
/// coordinator decides once per meta-step (its root span) and the workers follow the decision carried
/// in the trace context, so a sampled step is whole and an unsampled one costs no worker spans:
/// <c>OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.01</c> keeps one step in a hundred.
/// </summary>
public static class TraceSampling
{
    /// <summary>The sampler the configuration names; an unknown name or a ratio outside [0, 1] falls back as the specification says.</summary>
    public static Sampler FromConfiguration(IConfiguration configuration) =>
        Create(configuration["OTEL_TRACES_SAMPLER"], configuration["OTEL_TRACES_SAMPLER_ARG"]);

    /// <summary>The sampler of a name and argument: unknown names give the default (<c>parentbased_always_on</c>), a missing or invalid ratio 1.</summary>
    public static Sampler Create(string? name, string? argument)
    {
        double ratio = double.TryParse(argument, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) && r is >= 0 and <= 1 ? r : 1.0;
        return (name ?? "").Trim().ToLowerInvariant() switch
        {
            "always_on" => new AlwaysOnSampler(),
            "always_off" => new AlwaysOffSampler(),
            "traceidratio" => new TraceIdRatioBasedSampler(ratio),
            "parentbased_always_off" => new ParentBasedSampler(new AlwaysOffSampler()),
            "parentbased_traceidratio" => new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)),
            _ => new ParentBasedSampler(new AlwaysOnSampler()),
        };
    }
}
