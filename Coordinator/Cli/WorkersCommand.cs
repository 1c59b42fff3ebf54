using System.CommandLine;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Coordinator.Cli;

/// <summary><c>workers</c>: one line per live worker of a coordinator.</summary>
public sealed class WorkersCommand : IVerb
{
    private readonly ClusterClient client = new();

    /// <inheritdoc />
    public int Order => 80;

    /// <inheritdoc />
    public Command Create()
    {
        var command = new Command("workers", "list a coordinator's live workers (--coordinator URL)");
        client.AddTo(command);
        command.SetAction(async result =>
        {
            var (api, channel) = client.Connect(result);
            using (channel)
            {
                // The server answers within its own budget; the deadline covers a coordinator that does not answer at all.
                var response = await ClusterClient.CallAsync(() => api.ListWorkersAsync(new ListWorkersRequest(), deadline: DateTime.UtcNow.AddSeconds(20)).ResponseAsync);
                foreach (var w in response.Workers) result.InvocationConfiguration.Output.WriteLine($"{w.WorkerId}  {w.Device}  {w.Silo}");
            }
            return 0;
        });
        return command;
    }
}
