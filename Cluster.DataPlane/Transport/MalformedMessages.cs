using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MetaCluster.DataPlane.Transport;

/// <summary>
/// Makes a request that is not a valid Protobuf message fail with <c>InvalidArgument</c>: ASP.NET
/// Core's gRPC turns any exception of a request's deserializer into <c>Unknown</c> ("Exception was
/// thrown by handler"), which reads as a server bug and is retried by clients that retry Unknown.
/// Every service is bound as the generated <c>BindService</c> describes it (what gRPC's own binder
/// does), with each request marshaller wrapped so that a parse failure is an <see cref="RpcException"/>.
/// </summary>
public static class MalformedMessages
{
    /// <summary>
    /// Replaces gRPC's default method binder with the one that answers malformed requests with
    /// <c>InvalidArgument</c>. Call it after every <c>AddGrpc</c> of the host (each adds the default again); calling it again is harmless.
    /// </summary>
    public static IServiceCollection AnswerMalformedRequestsWithInvalidArgument(this IServiceCollection services)
    {
        var defaults = services.Where(d => d.ServiceType == typeof(IServiceMethodProvider<>)
            && d.ImplementationType?.Name.StartsWith("BinderServiceMethodProvider", StringComparison.Ordinal) == true).ToArray();
        foreach (var d in defaults) services.Remove(d);
        if (!services.Any(d => d.ImplementationType == typeof(CheckedBinderProvider<>)))
            services.AddSingleton(typeof(IServiceMethodProvider<>), typeof(CheckedBinderProvider<>));
        return services;
    }

    /// <summary>Wraps <paramref name="marshaller"/>'s deserializer: a parse failure becomes <c>InvalidArgument</c>.</summary>
    public static Marshaller<T> Checked<T>(Marshaller<T> marshaller) =>
        new(marshaller.ContextualSerializer, context =>
        {
            try
            {
                return marshaller.ContextualDeserializer(context);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"malformed {typeof(T).Name} message: {e.Message}"));
            }
        });

    private static Method<TRequest, TResponse> Checked<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class where TResponse : class =>
        new(method.Type, method.ServiceName, method.Name, Checked(method.RequestMarshaller), method.ResponseMarshaller);

    private sealed class CheckedBinderProvider<TService> : IServiceMethodProvider<TService> where TService : class
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
        {
            var attribute = typeof(TService).GetCustomAttributes<BindServiceMethodAttribute>(inherit: true).FirstOrDefault();
            var bind = attribute?.BindType.GetMethods(BindingFlags.Public | BindingFlags.Static)
                .FirstOrDefault(m => m.Name == attribute.BindMethodName && m.GetParameters() is { Length: 2 } p && p[0].ParameterType == typeof(ServiceBinderBase));
            if (bind is null) return;
            bind.Invoke(null, [new Binder<TService>(context, bind.GetParameters()[1].ParameterType), null]);
        }
    }

    private sealed class Binder<TService>(ServiceMethodProviderContext<TService> context, Type declaringType) : ServiceBinderBase where TService : class
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
            context.AddUnaryMethod(Checked(method), Metadata(method.Name, [typeof(TRequest), typeof(ServerCallContext)], out var m),
                Invoker<UnaryServerMethod<TService, TRequest, TResponse>>(m));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddServerStreamingMethod(Checked(method), Metadata(method.Name, [typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)], out var m),
                Invoker<ServerStreamingServerMethod<TService, TRequest, TResponse>>(m));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddClientStreamingMethod(Checked(method), Metadata(method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)], out var m),
                Invoker<ClientStreamingServerMethod<TService, TRequest, TResponse>>(m));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddDuplexStreamingMethod(Checked(method), Metadata(method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)], out var m),
                Invoker<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(m));

        private static TDelegate Invoker<TDelegate>(MethodInfo method) where TDelegate : Delegate =>
            (TDelegate)Delegate.CreateDelegate(typeof(TDelegate), method);

        // The service's override of the generated base method, and the endpoint metadata gRPC's own binder gives it.
        private List<object> Metadata(string name, Type[] parameters, out MethodInfo method)
        {
            method = typeof(TService).GetMethod(name, BindingFlags.Instance | BindingFlags.Public, null, parameters, null)
                ?? throw new InvalidOperationException($"Could not find '{name}' on {typeof(TService)}.");
            if (method.GetBaseDefinition().DeclaringType != declaringType)
                throw new InvalidOperationException($"'{name}' on {typeof(TService)} does not override the generated {declaringType.Name}.{name}.");
            var metadata = new List<object>();
            metadata.AddRange(typeof(TService).GetCustomAttributes(inherit: true));
            metadata.AddRange(method.GetCustomAttributes(inherit: true));
            metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
            return metadata;
        }
    }
}
