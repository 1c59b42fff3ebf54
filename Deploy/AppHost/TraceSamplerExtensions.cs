namespace MetaCluster.AppHost;

/// <summary>
/// The sampler every process is given: parent-based on a trace-id ratio. The coordinator decides
/// once per meta-step and the workers follow, so a sinusoid run of hundreds of steps a second
/// keeps whole steps at the ratio instead of every one.
/// </summary>
public static class TraceSamplerExtensions
{
    /// <summary>Sets <c>OTEL_TRACES_SAMPLER</c>=<c>parentbased_traceidratio</c> and its ratio (over the orchestrator's own always_on).</summary>
    public static IResourceBuilder<T> WithTraceSampler<T>(this IResourceBuilder<T> resource, string ratio) where T : IResourceWithEnvironment =>
        resource.WithEnvironment("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
            .WithEnvironment("OTEL_TRACES_SAMPLER_ARG", ratio);
}
