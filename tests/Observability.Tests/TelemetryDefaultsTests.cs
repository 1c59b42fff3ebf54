using System.Diagnostics;
using MetaCluster.ServiceDefaults.Hosting;
using MetaCluster.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace MetaCluster.Tests.Observability;

/// <summary>
/// The telemetry defaults without a backend: the sampler the standard variables name (workers follow
/// the coordinator's decision), no spans at all unless something exports them, and Kubernetes
/// hosting only inside a pod.
/// </summary>
[Collection(ObservabilityCollection.Name)]
public sealed class TelemetryDefaultsTests
{
    private static readonly ActivityContext SampledParent = new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
    private static readonly ActivityContext DroppedParent = new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None, isRemote: true);

    [Theory]
    // name, argument, a root kept, a child of a sampled parent kept, a child of a dropped parent kept
    [InlineData(null, null, true, true, false)]
    [InlineData("unknown", null, true, true, false)]
    [InlineData("always_on", null, true, true, true)]
    [InlineData("always_off", null, false, false, false)]
    [InlineData("traceidratio", "0", false, false, false)]
    [InlineData("parentbased_traceidratio", "0", false, true, false)]
    [InlineData("parentbased_traceidratio", "1", true, true, false)]
    [InlineData("parentbased_traceidratio", "not-a-number", true, true, false)]
    [InlineData("PARENTBASED_ALWAYS_OFF", null, false, true, false)]
    public void TheSamplerIsTheOneTheStandardVariablesName(string? name, string? argument, bool root, bool underSampled, bool underDropped)
    {
        var sampler = TraceSampling.Create(name, argument);
        Assert.Equal(root, Keeps(sampler, default));
        Assert.Equal(underSampled, Keeps(sampler, SampledParent));
        Assert.Equal(underDropped, Keeps(sampler, DroppedParent));
    }

    [Fact]
    public void ARatioKeepsAboutThatShareOfSteps()
    {
        var sampler = TraceSampling.Create("parentbased_traceidratio", "0.1");
        int kept = Enumerable.Range(0, 20_000).Count(_ => Keeps(sampler, default));
        Assert.InRange(kept, 1_600, 2_400);
    }

    [Fact]
    public async Task NoSpanIsCreatedUnlessSomethingExportsThem()
    {
        Assert.False(await CoordinatorSpansAreListenedToAsync(new Dictionary<string, string?>()));
        Assert.True(await CoordinatorSpansAreListenedToAsync(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9" }));
    }

    [Fact]
    public void KubernetesHostingIsUsedOnlyInAPodThatNamesItself()
    {
        var pod = new Dictionary<string, string>
        {
            ["KUBERNETES_SERVICE_HOST"] = "10.0.0.1", ["POD_NAME"] = "metacluster-worker-0", ["POD_NAMESPACE"] = "ml", ["POD_IP"] = "10.1.2.3",
        };
        Assert.True(KubernetesPod.IsCurrent(pod.GetValueOrDefault));
        foreach (string missing in pod.Keys)
            Assert.False(KubernetesPod.IsCurrent(n => n == missing ? null : pod[n]), $"without {missing}");
        Assert.False(KubernetesPod.IsCurrent(_ => null));
    }

    private static bool Keeps(Sampler sampler, ActivityContext parent) =>
        sampler.ShouldSample(new SamplingParameters(parent, ActivityTraceId.CreateRandom(), "meta-step", ActivityKind.Internal)).Decision
            == SamplingDecision.RecordAndSample;

    // A host with the cluster's defaults and only this configuration (no environment): does anything listen to the coordinator's spans?
    private static async Task<bool> CoordinatorSpansAreListenedToAsync(Dictionary<string, string?> configuration)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddClusterTelemetry(new TelemetrySettings("telemetry-defaults-test", PrometheusEndpoint: false));
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        bool listened = ClusterTelemetry.CoordinatorSource.HasListeners();
        await host.StopAsync(TestContext.Current.CancellationToken);
        return listened;
    }
}
