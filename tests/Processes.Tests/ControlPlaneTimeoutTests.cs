using System.Net;
using System.Net.Sockets;
using System.Reflection;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.Steps;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaCluster.Tests.Processes;

/// <summary>
/// Control-plane calls that time out, made deterministic: a registry whose calls are cancelled (as
/// a directory registration on a paused silo is), a roster that cannot be read, a coordinator that
/// never answers. Each must cost time or an attempt, never the run, and never hang the CLI.
/// </summary>
public sealed class ControlPlaneTimeoutTests
{
    private static readonly WorkerRegistration Worker = new("w/cpu/0", "cpu", "S127.0.0.1:1:1");

    [Fact]
    public async Task TheRosterAsksARegistryWhoseCallsAreCancelledAgainUntilItAnswers()
    {
        int calls = 0;
        var registry = Fake<IWorkerRegistryGrain>((method, _) => method.Name == nameof(IWorkerRegistryGrain.GetWorkersAsync)
            ? ++calls <= 2 ? Task.FromException<IReadOnlyList<WorkerRegistration>>(new TaskCanceledException("A task was canceled."))
                : Task.FromResult<IReadOnlyList<WorkerRegistration>>([Worker])
            : Task.CompletedTask);
        var grains = Fake<IGrainFactory>((_, _) => registry);
        var roster = new WorkerRoster(grains, NullLogger<WorkerRoster>.Instance) { WorkerWait = TimeSpan.FromSeconds(20) };

        var workers = await roster.LiveAsync(TestContext.Current.CancellationToken);
        Assert.Equal([Worker], workers);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task ARosterThatCannotBeReadBeforeARetryCostsThatAttemptNotTheUnit()
    {
        var roster = new BrokenRoster();
        var loop = new AttemptLoop(roster, NullLogger<AttemptLoop>.Instance);
        int tries = 0;
        var (retries, _) = await loop.RunAsync(new UnitLabel("run", 1, 0), [Worker], 0, plan =>
            ++tries == 1 ? throw new AttemptFailedException([Worker.WorkerId], new TimeoutException("shard timeout"))
                : Task.FromResult(new AttemptResult(true, 0, "ok", Worker.WorkerId)), () => false, TestContext.Current.CancellationToken);
        Assert.Equal(1, retries);
        Assert.Equal(1, roster.Reads);
    }

    [Fact]
    public async Task WorkersAgainstACoordinatorThatNeverAnswersFailsInOneLine()
    {
        // Accepts connections and says nothing, as a coordinator stuck behind a paused silo did.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<Socket>();
        var ct = TestContext.Current.CancellationToken;
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true) held.Add(await silent.AcceptSocketAsync(ct));
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException or OperationCanceledException)
            {
                // The listener closed with the test.
            }
        }, ct);
        int port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var output = new StringWriter();
        using var errors = new StringWriter();

        var run = CommandLine.RunAsync(["workers", "--coordinator", $"http://127.0.0.1:{port}"], output, errors);
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(40), TestContext.Current.CancellationToken));
        Assert.True(finished == run, "workers hung");
        Assert.Equal(2, await run);
        Assert.Single(errors.ToString().Trim().Split('\n'));
        Assert.StartsWith("error:", errors.ToString(), StringComparison.Ordinal);
        silent.Stop();
        await accepting;
        foreach (var s in held) s.Dispose();
    }

    private sealed class BrokenRoster : IWorkerRoster
    {
        public int Reads { get; private set; }

        public Task<IReadOnlyList<WorkerRegistration>> LiveAsync(CancellationToken cancellationToken)
        {
            Reads++;
            throw new TaskCanceledException("A task was canceled.");
        }
    }

    // An interface whose every call goes to one function (grain interfaces have many members; the tests use one or two).
    private static T Fake<T>(Func<MethodInfo, object?[]?, object?> invoke) where T : class
    {
        var proxy = DispatchProxy.Create<T, Handler>();
        ((Handler)(object)proxy).Call = invoke;
        return proxy;
    }

    /// <summary>The dispatch behind <see cref="Fake"/>.</summary>
    public class Handler : DispatchProxy
    {
        internal Func<MethodInfo, object?[]?, object?> Call { get; set; } = (_, _) => null;

        /// <inheritdoc/>
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => Call(targetMethod!, args);
    }
}
