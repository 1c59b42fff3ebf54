using System.Globalization;
using System.Text;
using System.Text.Json;
using ScottPlot;
using MetaCluster.Coordinator.Output;
using MetaCluster.Coordinator.Runs;

namespace MetaCluster.Coordinator.Reporting;

/// <summary>A TRLearner relation matrix as written to relation.json: A_ij over the step's tasks.</summary>
/// <remarks>Task ids are whatever the run wrote (task indices today), so they are kept as raw JSON values.</remarks>
public sealed record RelationMatrix(long Step, IReadOnlyList<System.Text.Json.JsonElement> Tasks, IReadOnlyList<IReadOnlyList<double>> Matrix);

/// <summary>
/// The report of a run directory: PNG plots (learning curve, evaluation, throughput, TRLearner
/// relation heat map) drawn with ScottPlot from metrics.jsonl, summary.json and relation.json, and
/// report.md that embeds them under the summary table. Every file is written atomically
/// (<see cref="AtomicFile"/>): a full disk leaves the previous file or none, never half a PNG.
/// </summary>
public static class RunReport
{
    /// <summary>Width and height of the line plots, in pixels.</summary>
    public const int PlotWidth = 900, PlotHeight = 500;

    /// <summary>Side of the relation heat map, in pixels.</summary>
    public const int HeatMapSize = 700;

    /// <summary>
    /// Writes the plots and report.md into <paramref name="directory"/>; returns the files written.
    /// Files are opened with <paramref name="create"/> (default: the file system). A failed write
    /// throws its <see cref="IOException"/> and leaves no temporary file.
    /// </summary>
    public static IReadOnlyList<string> Write(string directory, FileStreamFactory? create = null)
    {
        var (metrics, tornLine) = ReadMetrics(Path.Combine(directory, "metrics.jsonl"));
        var summary = ReadJson<RunSummary>(Path.Combine(directory, "summary.json"));
        var relation = ReadJson<RelationMatrix>(Path.Combine(directory, "relation.json"));
        if (metrics.Count == 0 && summary is null)
            throw new InvalidDataException($"{directory}: neither metrics.jsonl lines nor summary.json to report on");

        var written = new List<(string File, string Title)>();
        void Save(Plot plot, string name, int width, int height, string title)
        {
            AtomicFile.WriteBytes(Path.Combine(directory, name), plot.GetImageBytes(width, height, ImageFormat.Png), create);
            written.Add((name, title));
        }
        if (metrics.Count > 0)
        {
            Save(LearningCurve(metrics), "learning_curve.png", PlotWidth, PlotHeight, "Learning curve");
            Save(Throughput(metrics), "throughput.png", PlotWidth, PlotHeight, "Throughput");
        }
        if (summary?.Eval is { } eval && eval.Results.Any(r => r.Mean is not null))
            Save(Evaluation(eval), "evaluation.png", PlotWidth, PlotHeight, "Evaluation");
        if (relation is { Matrix.Count: > 0 })
            Save(RelationHeatMap(relation), "relation_matrix.png", HeatMapSize, HeatMapSize, "Task relations (TRLearner)");

        string report = Path.Combine(directory, "report.md");
        AtomicFile.WriteText(report, Markdown(summary, metrics, tornLine, written), create);
        return [.. written.Select(w => Path.Combine(directory, w.File)), report];
    }

    private static Plot LearningCurve(IReadOnlyList<MetricsLine> metrics)
    {
        var plot = new Plot();
        double[] steps = [.. metrics.Select(m => (double)m.Step)];
        double[] losses = [.. metrics.Select(m => m.Loss)];
        var loss = plot.Add.Scatter(steps, losses);
        loss.LegendText = "meta-train loss (query, before the update)";
        loss.MarkerSize = metrics.Count > 60 ? 0 : 4;
        string metric = metrics[^1].Metric;
        if (metrics.Any(m => Math.Abs(m.Value - m.Loss) > 1e-12))
        {
            double[] values = [.. metrics.Select(m => m.Value)];
            var value = plot.Add.Scatter(steps, values);
            value.LegendText = $"meta-train {metric}";
            value.MarkerSize = loss.MarkerSize;
        }
        var validated = metrics.Where(m => m.Validation is not null).ToArray();
        if (validated.Length > 0)
        {
            var validation = plot.Add.Scatter(validated.Select(m => (double)m.Step).ToArray(), validated.Select(m => m.Validation!.Value).ToArray());
            validation.LegendText = $"validation {metric}";
            validation.MarkerSize = 6;
        }
        plot.Title("Learning curve");
        plot.XLabel("meta-step");
        plot.YLabel(metric == "mse" ? "loss (mse)" : "loss");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static Plot Throughput(IReadOnlyList<MetricsLine> metrics)
    {
        var plot = new Plot();
        double[] elapsed = [.. metrics.Select(m => m.ElapsedSeconds)];
        double[] rate = [.. metrics.Select(m => m.TasksPerSecond)];
        var line = plot.Add.Scatter(elapsed, rate);
        line.LegendText = "tasks/s (run so far)";
        line.MarkerSize = metrics.Count > 60 ? 0 : 4;
        plot.Axes.SetLimitsY(0, Math.Max(1, metrics.Max(m => m.TasksPerSecond)) * 1.1);
        plot.Title("Throughput");
        plot.XLabel("elapsed (s)");
        plot.YLabel("tasks / s");
        return plot;
    }

    // Points where every task diverged have no mean to draw; the table in report.md lists them.
    private static Plot Evaluation(EvaluationReport eval)
    {
        var plot = new Plot();
        var drawn = eval.Results.Where(r => r.Mean is not null).ToArray();
        double[] xs = [.. drawn.Select(r => (double)r.InnerSteps)];
        double[] ys = [.. drawn.Select(r => r.Mean!.Value)];
        var points = plot.Add.Scatter(xs, ys);
        points.LegendText = $"{eval.Metric}, mean over {eval.Episodes} held-out tasks";
        double[] errors = [.. drawn.Select(r => r.Ci95 ?? 0)];
        var bars = plot.Add.ErrorBar(xs, ys, errors);
        bars.Color = points.Color;
        plot.Title("Evaluation (95% confidence interval)");
        plot.XLabel("inner steps at test time");
        plot.YLabel(eval.Metric);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static Plot RelationHeatMap(RelationMatrix relation)
    {
        int n = relation.Matrix.Count;
        var values = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < relation.Matrix[i].Count && j < n; j++)
                values[n - 1 - i, j] = relation.Matrix[i][j]; // ScottPlot draws row 0 at the top; task i belongs at y = i
        var plot = new Plot();
        var heat = plot.Add.Heatmap(values);
        heat.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heat).Label = "A_ij";
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"Relation matrix at step {relation.Step}"));
        plot.XLabel("task j");
        plot.YLabel("task i");
        return plot;
    }

    private static string Markdown(RunSummary? summary, IReadOnlyList<MetricsLine> metrics, string? tornLine, IEnumerable<(string File, string Title)> plots)
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(summary is null ? "# Run report" : string.Create(c, $"# Run report: {summary.Task} with {summary.Algorithm}"));
        md.AppendLine();
        if (summary is not null)
        {
            md.AppendLine("| | |");
            md.AppendLine("| --- | --- |");
            void Row(string name, string value) => md.AppendLine(c, $"| {name} | {value} |");
            Row("run", summary.RunId);
            Row("task / algorithm", $"{summary.Task} / {summary.Algorithm}");
            if (summary.TrLambda != 0) Row("TRLearner λ", summary.TrLambda.ToString(c));
            Row("meta-steps × meta-batch", string.Create(c, $"{summary.MetaSteps} × {summary.MetaBatch}"));
            Row("shots / query / inner steps", string.Create(c, $"{summary.Shots} / {summary.Query} / {summary.InnerSteps}"));
            Row("inner lr / outer lr", string.Create(c, $"{summary.InnerLr} / {summary.OuterLr}"));
            Row("workers / shards / device", string.Create(c, $"{summary.Workers} / {summary.Shards} / {summary.Device}"));
            Row("seed", summary.Seed.ToString(c));
            Row("train time", string.Create(c, $"{summary.TrainSeconds:0.0} s"));
            Row("throughput", string.Create(c, $"{summary.TasksPerSecond:0} tasks/s"));
            Row("final train loss", summary.FinalTrainLoss.ToString("0.0000", c));
            Row("shard retries", summary.ShardRetries.ToString(c));
            Row("bytes sent / received", string.Create(c, $"{summary.BytesSent:N0} / {summary.BytesReceived:N0}"));
            if (summary.Validation is { } v)
            {
                Row("validation", string.Create(c, $"{v.Validations} × {v.Tasks} tasks, {v.Metric} after {v.InnerSteps} inner step(s), every {v.Every} steps; split: {v.Split}"));
                Row("best validation", v.BestValue is { } b ? string.Create(c, $"{b:0.0000} at step {v.BestStep}") : "none (every validation diverged)");
                if (v.StoppedEarlyAt is { } stopped) Row("early stop", string.Create(c, $"at step {stopped} ({v.EarlyStop} validations without improvement)"));
            }
            if (summary.EvaluatedCheckpoint is { } evaluated) Row("evaluated parameters", evaluated);
            if (summary.Environment is { } env) Row("software / machine", $"metacluster {env.Metacluster}, {env.Dotnet}, TorchSharp {env.Torchsharp}; {env.Host}, {env.Cpu ?? env.Architecture}, {env.Cores} cores, {env.Os}");
            if (summary.Eval is { } eval)
            {
                md.AppendLine();
                md.AppendLine(c, $"Evaluation on {eval.Episodes} held-out tasks ({eval.Metric}, mean ± 95% CI):");
                md.AppendLine();
                bool diverged = eval.Results.Any(p => p.Diverged > 0);
                md.AppendLine(diverged ? "| inner steps | mean | ± 95% CI | diverged tasks (left out) |" : "| inner steps | mean | ± 95% CI |");
                md.AppendLine(diverged ? "| ---: | ---: | ---: | ---: |" : "| ---: | ---: | ---: |");
                foreach (var p in eval.Results)
                {
                    string mean = p.Mean is { } m ? m.ToString("0.0000", c) : "–", ci = p.Ci95 is { } h ? h.ToString("0.0000", c) : "–";
                    md.AppendLine(diverged ? $"| {p.InnerSteps} | {mean} | {ci} | {p.Diverged} |" : $"| {p.InnerSteps} | {mean} | {ci} |");
                }
            }
            md.AppendLine();
        }
        else if (metrics.Count > 0)
        {
            md.AppendLine(c, $"No summary.json (the run has not finished); {metrics.Count} lines of metrics.jsonl up to step {metrics[^1].Step}.");
            md.AppendLine();
        }
        if (tornLine is not null)
        {
            md.AppendLine(c, $"The last line of metrics.jsonl (line {tornLine}) is torn, as a kill in the middle of an append leaves it, and is left out.");
            md.AppendLine();
        }
        foreach (var (file, title) in plots)
        {
            md.AppendLine(c, $"## {title}");
            md.AppendLine();
            md.AppendLine(c, $"![{title}]({file})");
            md.AppendLine();
        }
        return md.ToString();
    }

    // A last line without its newline that does not parse is a torn append (the run was killed
    // mid-write): it is left out and its number returned; any other unreadable line is an error.
    private static (List<MetricsLine> Lines, string? TornLine) ReadMetrics(string path)
    {
        if (!File.Exists(path)) return ([], null);
        var texts = RunDirectory.ReadLines(path, out bool lastLineTerminated);
        var lines = new List<MetricsLine>();
        for (int i = 0; i < texts.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(texts[i])) continue;
            try
            {
                lines.Add(JsonSerializer.Deserialize<MetricsLine>(texts[i], RunJson.Line) ?? throw new JsonException("null"));
            }
            catch (JsonException e)
            {
                if (i == texts.Length - 1 && !lastLineTerminated) return (lines, (i + 1).ToString(CultureInfo.InvariantCulture));
                throw new InvalidDataException($"{path}:{i + 1}: not a metrics line ({e.Message.ReplaceLineEndings(" ")})", e);
            }
        }
        return (lines, null);
    }

    private static T? ReadJson<T>(string path) where T : class
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), RunJson.Indented);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
