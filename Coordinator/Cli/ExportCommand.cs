using System.CommandLine;
using MetaCluster.Coordinator.Export;
using MetaCluster.ServiceDefaults.Options;

namespace MetaCluster.Coordinator.Cli;

/// <summary>
/// <c>export --run DIR [--out FILE]</c>: writes a run's trained parameters as safetensors from its
/// checkpoints. Every run writes model.safetensors itself; this re-creates it (deleted, or from a
/// run that predates the export or its newer metadata keys), or writes it elsewhere.
/// </summary>
public sealed class ExportCommand : IVerb
{
    private readonly Option<string> run = new("--run") { Description = "the run directory to export (its checkpoints/final.ckpt, else its newest valid checkpoint)", HelpName = "DIR", Required = true };
    private readonly Option<string?> output = new("--out") { Description = $"the safetensors file to write [default: DIR/{RunExport.FileName}]", HelpName = "FILE" };

    /// <inheritdoc />
    public int Order => 95;

    /// <inheritdoc />
    public Command Create()
    {
        var command = new Command("export", $"write a run's trained parameters as safetensors ({RunExport.FileName}) from its checkpoints, for PyTorch");
        command.Options.Add(run);
        command.Options.Add(output);
        command.SetAction(result =>
        {
            string directory = result.GetValue(run)!;
            if (!Directory.Exists(directory)) throw new UsageException($"--run: no directory '{directory}'");
            string? path = result.GetValue(output);
            if (path is { Length: 0 }) throw new UsageException("--out: an empty file name");
            try
            {
                string written = RunExport.Write(directory, path);
                var file = SafetensorsReader.Read(written);
                result.InvocationConfiguration.Output.WriteLine(
                    $"exported {file.Tensors.Count} tensor(s) of run {file.Metadata.GetValueOrDefault("run_id", "?")} at step {file.Metadata.GetValueOrDefault("step", "?")}: {Path.GetFullPath(written)}");
            }
            catch (InvalidDataException e)
            {
                // A damaged, missing or undescribed checkpoint is the input's fault: one line, exit 2.
                throw new UsageException(e.Message.ReplaceLineEndings(" "));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                result.InvocationConfiguration.Error.WriteLine($"error: could not write {path ?? Path.Combine(directory, RunExport.FileName)}: {e.Message.ReplaceLineEndings(" ")}");
                return 1;
            }
            return 0;
        });
        return command;
    }
}
