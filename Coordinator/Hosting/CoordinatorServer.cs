using MetaCluster.DataPlane.Wire;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Coordinator.Security;
using MetaCluster.DataPlane.Security;
using MetaCluster.Coordinator.Services;
using MetaCluster.ServiceDefaults.Health;
using MetaCluster.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using MetaCluster.ServiceDefaults.Hosting;
using MetaCluster.DataPlane.Transport;

namespace MetaCluster.Coordinator.Hosting;

/// <summary>
/// <c>Coordinator serve</c>: a silo (Redis membership) hosting the run grains and the worker
/// registry, the public gRPC API and the data plane on one port, gRPC health, and /healthz/live,
/// /healthz/ready (silo active, Redis answers) and /metrics on the metrics port. Worker grains live only in TaskWorker processes.
/// </summary>
public static class CoordinatorServer
{
    /// <summary>Builds the server; run it until SIGTERM.</summary>
    public static WebApplication Build(ServeOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.AddServiceConsole();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var apiAddress = ListenAddress(options.Api.Host);
            kestrel.Listen(apiAddress, options.Api.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (options.TlsCertificate is not null)
                {
                    var certificate = X509Certificate2.CreateFromPemFile(options.TlsCertificate, options.TlsKey);
                    listen.UseHttps(https =>
                    {
                        https.ServerCertificate = certificate;
                        if (options.TlsClientCa is not null)
                        {
                            var authority = ClusterCertificates.LoadAuthority(options.TlsClientCa);
                            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                            https.ClientCertificateValidation = (client, _, _) => ClientCertificates.IsIssuedBy(client, authority);
                        }
                    });
                }
            });
            kestrel.Listen(MetricsAddress(apiAddress, options.Token), options.MetricsPort);
            kestrel.Limits.MaxRequestBodySize = 64L << 20;
            DataPlaneKestrel.Configure(kestrel);
        });

        builder.AddClusterTelemetry(new TelemetrySettings("metacluster-coordinator", options.ConsoleTraces));
        builder.UseOrleans(silo =>
        {
            options.Membership.Apply(silo);
            silo.AddActivityPropagation();
            // The run and registry grains only: worker grains live in TaskWorker processes (the
            // coordinator does no task compute), though this executable also embeds them for train.
            silo.HostOnly(CoordinatorServiceCollectionExtensions.GrainClasses);
        });
        builder.Services.AddCoordinator();
        builder.Services.AddSingleton(options.Credentials);
        builder.Services.AddSingleton(new ServeSettings(options.StateDirectory, options.DataRoots, options.Limits));
        builder.Services.AddSingleton<RunManager>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RunManager>());
        builder.Services.AddGrpc(o => o.Interceptors.Add<BearerTokenInterceptor>());
        // Lets grpcurl and IDEs discover the API; behind the same credentials as every other service.
        builder.Services.AddGrpcReflection();
        // Ready: the silo is active in membership and Redis answers; the same answers over grpc.health.v1.
        builder.Services.AddGrpcHealthChecks(HealthEndpoints.MapServices);
        builder.Services.AddClusterHealthChecks().AddRedisCheck();
        builder.Services.AnswerMalformedRequestsWithInvalidArgument();
        StopDeadline.Configure(builder.Services);

        var app = builder.Build();
        app.Services.GetRequiredService<DataPlaneEndpoint>().Url = options.DataPlaneUrl;
        app.MapGrpcService<DataPlaneService>();
        app.MapGrpcService<ClusterApiService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapClusterHealth();
        if (!IPAddress.IsLoopback(MetricsAddress(ListenAddress(options.Api.Host), options.Token)))
            app.Use(RequireTokenForMetrics(options.MetricsPort, options.Token!));
        app.MapMetricsEndpoint(options.MetricsPort);
        StopDeadline.Arm(app);
        return app;
    }

    // /metrics names runs, their losses and the host: off loopback it is served only with the
    // API's token, and without a token (mTLS alone: plain HTTP cannot check certificates) only on loopback.
    private static IPAddress MetricsAddress(IPAddress api, string? token) =>
        IPAddress.IsLoopback(api) ? api : token is null ? IPAddress.Loopback : IPAddress.Any;

    private static Func<HttpContext, RequestDelegate, Task> RequireTokenForMetrics(int metricsPort, string token) => (context, next) =>
    {
        if (context.Connection.LocalPort != metricsPort || !context.Request.Path.StartsWithSegments("/metrics")
            || BearerTokenInterceptor.Matches(context.Request.Headers.Authorization, token))
            return next(context);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    };

    private static IPAddress ListenAddress(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : host is "0.0.0.0" ? IPAddress.Any
        : host is "[::]" or "::" ? IPAddress.IPv6Any
        : IPAddress.Parse(host.Trim('[', ']'));
}
