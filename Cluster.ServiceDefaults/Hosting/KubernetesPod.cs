using Orleans.Hosting.Kubernetes;

namespace MetaCluster.ServiceDefaults.Hosting;

/// <summary>
/// Orleans' Kubernetes hosting for a silo that runs in a pod (the chart's coordinator and workers):
/// the silo watches the cluster's pods, so a deleted pod's silo is declared dead at once instead of
/// after missed probes, and deletes the pod of a silo the cluster declared dead, so its Deployment
/// replaces it. Its silo name is the pod's. Outside a pod (processes on a laptop, tests, compose)
/// nothing changes. The chart grants the pod's service account what this needs (its RBAC Role).
/// </summary>
public static class KubernetesPod
{
    /// <summary>
    /// True when the process runs in a Kubernetes pod that names itself: the API server's address
    /// (<c>KUBERNETES_SERVICE_HOST</c>, set in every pod) and the downward-API variables Orleans'
    /// Kubernetes hosting reads (<c>POD_NAME</c>, <c>POD_NAMESPACE</c>, <c>POD_IP</c>).
    /// </summary>
    public static bool IsCurrent(Func<string, string?> environment) =>
        new[] { "KUBERNETES_SERVICE_HOST", KubernetesHostingOptions.PodNameEnvironmentVariable,
                KubernetesHostingOptions.PodNamespaceEnvironmentVariable, KubernetesHostingOptions.PodIPEnvironmentVariable }
            .All(name => !string.IsNullOrEmpty(environment(name)));

    /// <summary>
    /// Adds Kubernetes hosting when <see cref="IsCurrent"/>. Call it before the silo's own endpoint and
    /// cluster settings: those are configured later and so win (ports, advertised address, cluster id
    /// stay what the command line says; the chart sets both from the same values).
    /// </summary>
    /// <returns>Whether hosting was added.</returns>
    public static bool UseHostingWhenInPod(ISiloBuilder silo, Func<string, string?>? environment = null)
    {
        if (!IsCurrent(environment ?? Environment.GetEnvironmentVariable)) return false;
        silo.UseKubernetesHosting();
        return true;
    }
}
