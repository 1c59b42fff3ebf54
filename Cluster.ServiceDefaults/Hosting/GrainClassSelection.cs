using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace MetaCluster.ServiceDefaults.Hosting;

/// <summary>
/// Which grain classes a silo hosts. Orleans discovers every grain class in the process's
/// assemblies; a host that can run in several roles (the coordinator executable embeds workers for
/// <c>train</c> but must host none in <c>serve</c>) names the classes of each role, as the Orleans
/// guide on heterogeneous silos advises, and every other discovered class is left out.
/// </summary>
public static class GrainClassSelection
{
    /// <summary>Makes the silo host exactly the grain classes of <paramref name="classSets"/> (each library publishes its own set).</summary>
    public static ISiloBuilder HostOnly(this ISiloBuilder silo, params IEnumerable<Type>[] classSets)
    {
        var named = classSets.SelectMany(s => s).ToHashSet();
        silo.Services.PostConfigure<GrainTypeOptions>(o =>
        {
            o.Classes.RemoveWhere(type => !named.Contains(type));
            foreach (var type in named) o.Classes.Add(type);
        });
        return silo;
    }
}
