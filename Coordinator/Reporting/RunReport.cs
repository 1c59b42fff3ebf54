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
/// report.md that embeds them under the summary table.
/// </summary>
public static class RunReport
{
    /// <summary>Width and height of the line plots, in pixels.</summary>
    public const int PlotWidth = 900, PlotHeight = 500;

    /// <summary>Side of the relation heat map, in pixels.</summary>
    public const int HeatMapSize = 700;

    /// <summary>Writes the plots and report.md into <paramref name="directory"/>; returns the files written.</summary>
    public static IReadOnlyList<string> Write(string directory)
    {
        var metrics = ReadMetrics(Path.Combine(directory, "metrics.jsonl"));
        var summary = ReadJson<RunSummary>(Path.Combine(directory, "summary.json"));
        var relation = ReadJson<RelationMatrix>(Path.Combine(directory, "relation.json"));
        if (metrics.Count == 0 && summary is null)
            throw new InvalidDataException($"{directory}: neither metrics.jsonl lines nor summary.json to report on");

        var written = new List<(string File, string Title)>();
        if (metrics.Count > 0)
        {
            written.Add((LearningCurve(directory, metrics), "Learning curve"));
            written.Add((Throughput(directory, metrics), "Throughput"));
        }
        if (summary?.Eval is { } eval && eval.Results.Any(r => r.Mean is not null))
            written.Add((Evaluation(directory, eval), "Evaluation"));
        if (relation is { Matrix.Count: > 0 })
            written.Add((RelationHeatMap(directory, relation), "Task relations (TRLearner)"));

        string report = Path.Combine(directory, "report.md");
        File.WriteAllText(report, Markdown(summary, metrics, written));
        return [.. written.Select(w => Path.Combine(directory, w.File)), report];
    }

    private static string LearningCurve(string directory, IReadOnlyList<MetricsLine> metrics)
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
        plot.Title("Learning curve");
        plot.XLabel("meta-step");
        plot.YLabel(metric == "mse" ? "loss (mse)" : "loss");
        plot.ShowLegend(Alignment.UpperRight);
        return Save(plot, directory, "learning_curve.png", PlotWidth, PlotHeight);
    }

    private static string Throughput(string directory, IReadOnlyList<MetricsLine> metrics)
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
        return Save(plot, directory, "throughput.png", PlotWidth, PlotHeight);
    }

    // Points where every task diverged have no mean to draw; the table in report.md lists them.
    private static string Evaluation(string directory, EvaluationReport eval)
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
        return Save(plot, directory, "evaluation.png", PlotWidth, PlotHeight);
    }

    private static string RelationHeatMap(string directory, RelationMatrix relation)
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
        return Save(plot, directory, "relation_matrix.png", HeatMapSize, HeatMapSize);
    }

    private static string Save(Plot plot, string directory, string name, int width, int height)
    {
        plot.SavePng(Path.Combine(directory, name), width, height);
        return name;
    }

    private static string Markdown(RunSummary? summary, IReadOnlyList<MetricsLine> metrics, IEnumerable<(string File, string Title)> plots)
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
        foreach (var (file, title) in plots)
        {
            md.AppendLine(c, $"## {title}");
            md.AppendLine();
            md.AppendLine(c, $"![{title}]({file})");
            md.AppendLine();
        }
        return md.ToString();
    }

    private static List<MetricsLine> ReadMetrics(string path)
    {
        if (!File.Exists(path)) return [];
        var lines = new List<MetricsLine>();
        int number = 0;
        foreach (var text in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                lines.Add(JsonSerializer.Deserialize<MetricsLine>(text, RunJson.Line) ?? throw new JsonException("null"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{number}: not a metrics line ({e.Message})", e);
            }
        }
        return lines;
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
