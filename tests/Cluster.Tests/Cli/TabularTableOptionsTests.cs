using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.Definitions;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Learning.Tasks.Tabular;
using MetaCluster.ServiceDefaults.Options;
using MetaCluster.TaskWorker.Execution;

namespace MetaCluster.Tests.Cli;

/// <summary><c>--task-column</c>, <c>--separator</c> and <c>--na</c> from the command line to the workers' family.</summary>
public sealed class TabularTableOptionsTests
{
    [Fact]
    public void OneSemicolonTableWithATaskColumnBecomesOneTaskPerValueOnTheWorkers()
    {
        string dir = Directory.CreateTempSubdirectory("task-column-cli-").FullName;
        string table = Path.Combine(dir, "patients.csv");
        File.WriteAllLines(table, ["patient;age;\"dose; mg\";outcome", .. Enumerable.Range(0, 30).Select(i => $"p{i % 6};{20 + i};{(i % 4 == 0 ? "NA" : (i * 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture))};{i % 2}")]);

        var run = TrainOptions.Parse(["--task", "tabular", "--data", table, "--task-column", "patient", "--separator", "semicolon", "--na", "mean", "--algorithm", "matchingnet", "--ways", "2", "--shots", "1", "--query", "1"]).Run;
        Assert.Equal(("patient", "semicolon", "mean"), (run.TaskColumn, run.Separator, run.Na));
        var api = ApiRunDefinitions.ToRecord(ApiRunDefinitions.ToApi(run));
        Assert.Equal(("patient", "semicolon", "mean"), (api.TaskColumn, api.Separator, api.Na));

        var family = Assert.IsType<TabularTasks>(ResolvedRunSpec.From(run.ToSpec()).Family);
        Assert.Equal(["p0", "p1", "p2", "p3"], family.TrainingTasks.Select(t => t.TaskKey));
        Assert.Equal(["patients.csv[patient #1]", "patients.csv[patient #2]", "patients.csv[patient #3]", "patients.csv[patient #4]"],
            family.TrainingTasks.Select(t => t.Name));
        Assert.Equal(2, family.EvaluationTasks.Count);
        Assert.Equal(["age", "dose; mg"], family.TrainingTasks[0].FeatureNames);
        Assert.Equal(MetaCluster.Learning.Tasks.TaskKind.Classification, family.Kind);

        // The defaults leave the spec as it was: no task column, commas, missing values refused.
        var plain = TrainOptions.Parse(["--task", "tabular", "--data", dir]).Run;
        Assert.Equal((null, "comma", "error"), (plain.TaskColumn, plain.Separator, plain.Na));
        var spec = plain.ToSpec();
        Assert.Equal(("", "", ""), (spec.TaskColumn, spec.Separator, spec.Na));
        // Read with commas, the semicolon table is one text column.
        var refused = Assert.Throws<InvalidDataException>(() => ResolvedRunSpec.From(spec));
        Assert.StartsWith("patients.csv:2: column 'patient;age;", refused.Message);
        Assert.EndsWith("is not a number", refused.Message);
    }

    [Theory]
    [InlineData("--na", "zero", "--na must be one of error, drop-row, mean")]
    [InlineData("--separator", "colon", "--separator must be one of comma, semicolon, tab, pipe, auto")]
    public void BadValuesNameTheOption(string option, string value, string message) =>
        Assert.Contains(message, Assert.Throws<UsageException>(() => TrainOptions.Parse(["--task", "tabular", "--data", "x", option, value])).Message);
}
