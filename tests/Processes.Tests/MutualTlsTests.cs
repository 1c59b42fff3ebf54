using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using MetaCluster.Protos.Api.V1;
using MetaCluster.DataPlane.Security;

namespace MetaCluster.Tests.Processes;

/// <summary>
/// <c>serve</c> on https with client certificates required (mTLS), and a TaskWorker that reaches
/// its data plane with a certificate of its own: a certificate authority and both certificates are
/// made here with openssl.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class MutualTlsTests(RedisFixture redis)
{
    [Fact]
    public async Task ServeAndAWorkerOnCertificatesFromAPrivateAuthorityFinishARunAndRefuseAClientWithoutOne()
    {
        if (!OnPath("openssl")) Assert.Skip("openssl is not installed: it makes the test's certificate authority (apt-get install openssl)");
        string dir = ClusterRuns.TempDirectory();
        MakeCertificates(dir);
        string F(string name) => Path.Combine(dir, name);
        var authority = ClusterCertificates.LoadAuthority(F("ca.crt"));
        var handler = new SocketsHttpHandler
        {
            SslOptions =
            {
                ClientCertificates = [X509Certificate2.CreateFromPemFile(F("client.crt"), F("client.key"))],
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is X509Certificate2 c && ClusterCertificates.IsIssuedBy(c, authority),
            },
        };
        await using var cluster = new ProcessCluster(redis.Address, name: "mtls") { Scheme = "https", ApiHandler = handler };
        await cluster.StartCoordinatorAsync(extraArgs: ["--tls-cert", F("server.crt"), "--tls-key", F("server.key"), "--tls-client-ca", F("ca.crt")]);
        await cluster.StartWorkerAsync(expectedWorkers: 1,
            start: new WorkerStart(ExtraArgs: ["--tls-client-cert", F("client.crt"), "--tls-client-key", F("client.key"), "--tls-ca", F("ca.crt")]));

        var result = await cluster.WatchToEndAsync(await cluster.SubmitAsync(FaultRuns.Options(steps: 20)), FaultRuns.RunTimeout);
        Assert.True(result.State == RunState.Completed, result.Error + cluster.Logs());

        // Trusting the server is not enough: without a certificate of the authority, no call goes through.
        using var anonymous = GrpcChannel.ForAddress(cluster.ApiUrl, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } },
        });
        await Assert.ThrowsAsync<RpcException>(() =>
            new ClusterApi.ClusterApiClient(anonymous).ListRunsAsync(new ListRunsRequest(), cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);
    }

    // A CA, a server certificate for 127.0.0.1 and a client certificate, PEM, valid one day.
    private static void MakeCertificates(string dir)
    {
        File.WriteAllText(Path.Combine(dir, "server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        File.WriteAllText(Path.Combine(dir, "client.ext"), "extendedKeyUsage=clientAuth\n");
        OpenSsl(dir, "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 1 -subj /CN=metacluster-test-ca");
        foreach (var name in new[] { "server", "client" })
        {
            OpenSsl(dir, $"req -newkey rsa:2048 -nodes -keyout {name}.key -out {name}.csr -subj /CN={name}");
            OpenSsl(dir, $"x509 -req -in {name}.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out {name}.crt -days 1 -extfile {name}.ext");
        }
    }

    private static void OpenSsl(string dir, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("openssl", arguments.Split(' '))
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"openssl {arguments} failed ({process.ExitCode}): {errors}");
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool)));
}
