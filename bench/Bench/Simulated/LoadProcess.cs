using System.Globalization;
using MetaCluster.DataPlane.Wire;

namespace MetaCluster.Bench.Simulated;

/// <summary>
/// The load process's loop: builds the workers and one gradient payload they all send (its values
/// do not change the coordinator's work), then runs the steps it is told to on stdin.
/// </summary>
public static class LoadProcess
{
    /// <summary>Runs until "exit" or the end of <paramref name="input"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(LoadArguments load, TextReader input, TextWriter output)
    {
        var random = new Random(17);
        var values = new float[load.Elements];
        // Gradient-like values: zero-mean, mostly small, a few large.
        for (int i = 0; i < values.Length; i++) values[i] = (float)((random.NextDouble() - 0.5) * Math.Exp(random.NextDouble() * 8 - 8));
        byte[] payload = GradientCodec.Encode(values, load.WireType, out _);
        if (load.ReduceGroup == 1) values = [];

        var workers = Enumerable.Range(0, load.Workers).Select(shard => new SimulatedWorker(shard, load, payload, values)).ToArray();
        try
        {
            Write(output, "ready");
            while (await input.ReadLineAsync() is { } line)
            {
                if (line == "exit") break;
                if (!line.StartsWith("step ", StringComparison.Ordinal)) { Write(output, $"error 0 unknown command '{line}'"); continue; }
                long step = long.Parse(line[5..], CultureInfo.InvariantCulture);
                try
                {
                    var done = await Task.WhenAll(workers.Select(w => w.StepAsync(step, CancellationToken.None)));
                    double cpu = Environment.CpuUsage.TotalTime.TotalSeconds;
                    Write(output, string.Create(CultureInfo.InvariantCulture, $"done {step} {cpu:R} {done.Sum(d => d.Fetched)} {done.Sum(d => d.Sent)}"));
                }
                catch (Exception e)
                {
                    Write(output, $"error {step} {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
                }
            }
            return 0;
        }
        finally
        {
            foreach (var w in workers) w.Dispose();
        }
    }

    private static void Write(TextWriter output, string line)
    {
        output.WriteLine(line);
        output.Flush();
    }
}
