using Grpc.Core;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Client;

public sealed partial class MetaClusterClient
{
    // A watch cut by a coordinator restart is opened again (watching has no side effect) this many times.
    private const int WatchReconnects = 5;
    private static readonly TimeSpan WatchReconnectDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A run's progress as it goes (<see cref="RunProgressed"/>: each step or change of state), then
    /// one <see cref="RunEnded"/> with its result, after which the enumeration ends. A run that has
    /// already ended yields its result at once. A stream cut by a restarting coordinator is opened again.
    /// </summary>
    /// <exception cref="MetaClusterException">NOT_FOUND for an unknown run; DATA_LOSS when the stream ends without a result.</exception>
    public async IAsyncEnumerable<RunUpdate> WatchAsync(string runId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new WatchRunRequest { RunId = RequireId(runId) };
        for (int reconnects = 0; ; reconnects++)
        {
            await using var events = calls.Stream(api.WatchRun(request, cancellationToken: cancellationToken), cancellationToken)
                .GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                bool more;
                try
                {
                    more = await events.MoveNextAsync().ConfigureAwait(false);
                }
                catch (MetaClusterException e) when (e.StatusCode == StatusCode.Unavailable && reconnects < WatchReconnects)
                {
                    break;
                }
                if (!more) throw new MetaClusterException(StatusCode.DataLoss, $"the watch of run {runId} ended without its result");
                var update = ApiMessages.Update(events.Current);
                yield return update;
                if (update is RunEnded) yield break;
            }
            await Task.Delay(WatchReconnectDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for a run to end and returns how it ended (completed, failed or stopped: see <see cref="RunResult.State"/>).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="progress">Told each progress update, if given.</param>
    /// <param name="cancellationToken">Stops waiting (the run goes on).</param>
    public async Task<RunResult> WaitAsync(string runId, IProgress<RunProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        await foreach (var update in WatchAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            switch (update)
            {
                case RunProgressed p:
                    progress?.Report(p.Progress);
                    break;
                case RunEnded e:
                    return e.Result;
            }
        }
        throw new MetaClusterException(StatusCode.DataLoss, $"the watch of run {runId} ended without its result");
    }
}
