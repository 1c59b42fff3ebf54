using Microsoft.Extensions.DependencyInjection;

namespace MetaCluster.Testing.Faults;

/// <summary>Wraps a registered service in a decorator, as tests do to inject faults into a real cluster.</summary>
public static class ServiceDecoration
{
    /// <summary>Replaces the registration of <typeparamref name="TService"/> with <paramref name="decorate"/> applied to what it gave.</summary>
    public static IServiceCollection Decorate<TService>(this IServiceCollection services, Func<TService, IServiceProvider, TService> decorate)
        where TService : class
    {
        var registration = services.LastOrDefault(d => d.ServiceType == typeof(TService))
            ?? throw new InvalidOperationException($"{typeof(TService).Name} is not registered");
        services.Remove(registration);
        services.Add(ServiceDescriptor.Describe(typeof(TService), provider => decorate((TService)Inner(registration, provider), provider), registration.Lifetime));
        return services;
    }

    private static object Inner(ServiceDescriptor registration, IServiceProvider provider) =>
        registration.ImplementationInstance
        ?? registration.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, registration.ImplementationType!);
}
