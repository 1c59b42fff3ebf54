using System.Text.Json;

namespace MetaCluster.Bench.Measurement;

/// <summary>
/// When each meta-step of a run finished, read from its <c>metrics.jsonl</c> written with
/// <c>--log-every 1</c>: <c>elapsed_seconds</c> is the run's training clock after that step, so
/// the time of steps (a, b] is elapsed(b) − elapsed(a), with elapsed(0) = 0.
/// </summary>
public sealed class StepTimeline
{
    private readonly SortedDictionary<long, double> elapsed;

    private StepTimeline(SortedDictionary<long, double> elapsed, double lastLoss)
    {
        this.elapsed = elapsed;
        LastLoss = lastLoss;
    }

    /// <summary>Steps the timeline covers.</summary>
    public long Steps => elapsed.Count == 0 ? 0 : elapsed.Keys.Last();

    /// <summary>The training loss of the last step.</summary>
    public double LastLoss { get; }

    /// <summary>Reads metrics.jsonl text; every step from 1 to the last must have its line.</summary>
    public static StepTimeline Parse(string metricsJsonl)
    {
        var elapsed = new SortedDictionary<long, double> { [0] = 0 };
        double loss = double.NaN;
        foreach (var line in metricsJsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            long step = root.GetProperty("step").GetInt64();
            elapsed[step] = root.GetProperty("elapsed_seconds").GetDouble();
            loss = root.GetProperty("loss").GetDouble();
        }
        long last = elapsed.Keys.Last();
        if (elapsed.Count != last + 1)
            throw new InvalidDataException($"metrics.jsonl has {elapsed.Count - 1} lines for {last} steps: the run must log every step (--log-every 1)");
        return new StepTimeline(elapsed, loss);
    }

    /// <summary>Seconds each step took, for steps first+1 … last.</summary>
    public double[] StepSeconds(long first, long last) =>
        Enumerable.Range(0, (int)(last - first)).Select(i => elapsed[first + i + 1] - elapsed[first + i]).ToArray();

    /// <summary>
    /// A step's typical duration: the median over the later half of the steps (the earlier ones
    /// may still pay for warm-up), or over all steps when there are fewer than four.
    /// </summary>
    public double TypicalStepSeconds()
    {
        if (Steps == 0) throw new InvalidOperationException("the run logged no step");
        long from = Steps < 4 ? 0 : Steps / 2;
        return BenchFigure.MedianOf(StepSeconds(from, Steps));
    }

    /// <summary>
    /// Tasks per second of <paramref name="repetitions"/> consecutive blocks of
    /// <paramref name="stepsPerRepetition"/> steps each, after the first <paramref name="skip"/> steps.
    /// </summary>
    public double[] TasksPerSecond(int skip, int stepsPerRepetition, int repetitions, int metaBatch)
    {
        if (skip + (long)stepsPerRepetition * repetitions > Steps)
            throw new InvalidOperationException($"the run logged {Steps} steps; {skip} + {repetitions} × {stepsPerRepetition} were asked for");
        return Enumerable.Range(0, repetitions).Select(r =>
        {
            long start = skip + (long)r * stepsPerRepetition;
            double seconds = elapsed[start + stepsPerRepetition] - elapsed[start];
            return stepsPerRepetition * (double)metaBatch / seconds;
        }).ToArray();
    }
}
