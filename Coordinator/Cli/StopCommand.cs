using System.CommandLine;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Coordinator.Cli;

/// <summary><c>stop</c>: asks a coordinator to stop a run.</summary>
public sealed class StopCommand : IVerb
{
    private readonly ClusterClient client = new();
    private readonly Option<string> run = new("--run") { Description = "the run's id", HelpName = "ID", Required = true };

    /// <inheritdoc />
    public int Order => 60;

    /// <inheritdoc />
    public Command Create()
    {
        var command = new Command("stop", "stop a run (--coordinator URL --run ID)");
        client.AddTo(command);
        command.Options.Add(run);
        command.SetAction(async result =>
        {
            string runId = result.GetValue(run)!;
            var (api, channel) = client.Connect(result);
            using (channel) await ClusterClient.CallAsync(() => api.StopRunAsync(new StopRunRequest { RunId = runId }).ResponseAsync);
            result.InvocationConfiguration.Output.WriteLine($"asked run {runId} to stop");
            return 0;
        });
        return command;
    }
}
