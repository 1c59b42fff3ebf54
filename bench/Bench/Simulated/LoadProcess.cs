using System.Globalization;

namespace MetaCluster.Bench.Simulated;

/// <summary>
/// The load process's loop: connects the simulated workers, then serves the control messages of
/// <see cref="LoadProtocol"/> on stdin, each on its own task (the coordinator's rounds have many
/// assignments in flight at once, as they have grain calls), answering each on stdout.
/// </summary>
public static class LoadProcess
{
    /// <summary>Runs until "exit" or the end of <paramref name="input"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(LoadArguments load, TextReader input, TextWriter output)
    {
        using var workers = new LoadWorkers(load);
        var answers = new Lock();
        void Answer(string line)
        {
            lock (answers)
            {
                output.WriteLine(line);
                output.Flush();
            }
        }
        Answer(LoadProtocol.Ready);
        while (await input.ReadLineAsync() is { } line)
        {
            if (line == LoadProtocol.Exit) break;
            // Off the reading loop: a group sums its gradient, a run waits for its acknowledgement.
            _ = Task.Run(async () => Answer(await HandleAsync(workers, line)));
        }
        return 0;
    }

    private static async Task<string> HandleAsync(LoadWorkers workers, string line)
    {
        long id = 0;
        try
        {
            (string verb, id, string[] fields) = LoadProtocol.Parse(line);
            switch (verb)
            {
                case "run":
                    var (outcome, bytes) = await workers.RunAsync(LoadProtocol.ParseAssignment(fields));
                    return LoadProtocol.Ok(id, string.Create(CultureInfo.InvariantCulture, $"{outcome} {bytes}"));
                case "relay":
                    return LoadProtocol.Ok(id, workers.OpenRelay(LoadProtocol.ParseRelayPlan(fields)));
                case "forwarded":
                    if (fields.Length != 1) throw new FormatException("forwarded takes the relay's URL");
                    await workers.ForwardedAsync(fields[0]);
                    return LoadProtocol.Ok(id);
                case "report":
                    double cpu = Environment.CpuUsage.TotalTime.TotalSeconds;
                    return LoadProtocol.Ok(id, string.Create(CultureInfo.InvariantCulture, $"{cpu:R} {workers.Totals.FetchedBytes} {workers.Totals.SentBytes}"));
                default:
                    throw new FormatException($"unknown command '{verb}'");
            }
        }
        catch (Exception e)
        {
            return LoadProtocol.Error(id, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
