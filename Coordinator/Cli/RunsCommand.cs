using System.CommandLine;
using System.Globalization;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Coordinator.Cli;

/// <summary><c>runs</c>: one line per run of a coordinator, with its state.</summary>
public sealed class RunsCommand : IVerb
{
    private readonly ClusterClient client = new();

    /// <inheritdoc />
    public int Order => 70;

    /// <inheritdoc />
    public Command Create()
    {
        var command = new Command("runs", "list a coordinator's runs (--coordinator URL)");
        client.AddTo(command);
        command.SetAction(async result =>
        {
            var (api, channel) = client.Connect(result);
            using (channel)
            {
                var response = await ClusterClient.CallAsync(() => api.ListRunsAsync(new ListRunsRequest()).ResponseAsync);
                foreach (var run in response.Runs)
                    result.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{run.RunId}  {run.State.ToString().ToLowerInvariant(),-10}  step {run.Step}/{run.MetaSteps}  loss {run.Loss:0.0000}"));
            }
            return 0;
        });
        return command;
    }
}
