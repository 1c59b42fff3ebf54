using MetaCluster.Learning.Tasks;
using MetaCluster.Learning.Tasks.Tabular;

namespace MetaCluster.Tests.Learning;

/// <summary>
/// One table holding many tasks (<c>--task-column</c>), read by Sep: tab and semicolon separators,
/// quoted fields, and the missing-value policies.
/// </summary>
public sealed class TaskColumnTableTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("task-column-tests-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Write(string name, params string[] lines)
    {
        string path = Path.Combine(root, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    // Five assays of four rows each; the assay name is quoted text holding the separator, and
    // its column sits between the features. dose = 10·assay + row, response = assay + row/10.
    private static string[] AssayLines(char sep)
    {
        var lines = new List<string> { string.Join(sep, "dose", "\"assay\"", "response") };
        for (int a = 0; a < 5; a++)
            for (int r = 0; r < 4; r++)
                lines.Add(string.Join(sep, (10 * a + r).ToString(), $"\"A{a}{sep} batch \"\"{a}\"\"\"", (a + r / 10.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        return [.. lines];
    }

    [Theory]
    [InlineData('\t', "tab")]
    [InlineData(';', "semicolon")]
    [InlineData(';', "auto")]
    public void EachValueOfTheTaskColumnIsOneTaskAndTheLastFifthIsHeldOut(char sep, string separatorName)
    {
        Write("assays.tsv", AssayLines(sep));
        var family = Assert.IsType<TabularTasks>(TaskFamilyCatalog.Create("tabular", new TaskDataOptions
        {
            Data = [root], TaskColumn = "assay", TableFormat = new CsvFormat(CsvFormat.ParseSeparator(separatorName)),
        }));

        string Key(int a) => $"A{a}{sep} batch \"{a}\"";
        Assert.Equal([Key(0), Key(1), Key(2), Key(3)], family.TrainingTasks.Select(t => t.TaskKey));
        Assert.Equal([Key(4)], family.EvaluationTasks.Select(t => t.TaskKey));
        // Names (used in messages) number the tasks rather than quote their cells.
        Assert.Equal(["assays.tsv[assay #1]", "assays.tsv[assay #2]", "assays.tsv[assay #3]", "assays.tsv[assay #4]"], family.TrainingTasks.Select(t => t.Name));
        Assert.Equal(["assays.tsv[assay #5]"], family.EvaluationTasks.Select(t => t.Name));
        var first = family.TrainingTasks[1];
        Assert.Equal(["dose"], first.FeatureNames);
        Assert.Equal("response", first.TargetName);
        Assert.Equal([10.0, 11, 12, 13], first.Features.Select(r => r[0]));
        Assert.Equal([1.0, 1.1, 1.2, 1.3], first.Targets);
        Assert.Equal(TaskKind.Regression, family.Kind);
        using var batch = family.Sample(1, TaskStream.Train, 0, [0, 1], new EpisodeShape(1, 2, 2));
        Assert.Equal([2L, 2, 1], batch.SupportX.shape);
    }

    [Fact]
    public void TheDefaultCommaReaderSeesATabFileAsOneColumn()
    {
        Write("assays.tsv", AssayLines('\t'));
        var error = Assert.Throws<InvalidDataException>(() => TabularTasks.Load(root, new TabularOptions(TaskColumn: "assay")));
        Assert.StartsWith("assays.tsv:1: no task column named 'assay'", error.Message);
    }

    [Fact]
    public void MissingValuesAreAnErrorOrDropTheirRowOrTakeTheTasksMean()
    {
        string path = Write("t.csv", "task,x,z,y", "a,1,5,0", "a,NA,6,1", "a,3,,2", "a,5,7,N/A", "b,1,1,1", "b,null,2,2", ",9,9,9");

        var error = Assert.Throws<InvalidDataException>(() => CsvTable.Read(path, CsvFormat.Default, "task"));
        Assert.Equal("t.csv:3: column 'x' is missing (--na drop-row or --na mean accept missing values)", error.Message);

        var dropped = CsvTable.Read(path, new CsvFormat(',', MissingValuePolicy.DropRow), "task");
        Assert.Equal(["a", "b"], dropped.TaskKeys!);
        Assert.Equal(["x", "z", "y"], dropped.Columns);
        Assert.Equal([1.0, 5, 0], dropped.Rows[0]);

        var meaned = TabularTask.SplitByTask(CsvTable.Read(path, new CsvFormat(',', MissingValuePolicy.Mean), "task"));
        Assert.Equal(["t.csv[task #1]", "t.csv[task #2]"], meaned.Select(t => t.Name));
        // Task a: the row without a target is left out; x's missing value is the mean of 1 and 3
        // (the 5 belonged to the dropped row), z's the mean of 5 and 6 — within task a only.
        Assert.Equal([0.0, 1, 2], meaned[0].Targets);
        Assert.Equal(new double[][] { [1, 5], [2, 6], [3, 5.5] }, meaned[0].Features);
        Assert.Equal(new double[][] { [1, 1], [1, 2] }, meaned[1].Features);
        // The row whose task is empty belongs to no task.
        Assert.Equal(5, meaned.Sum(t => t.Count));
    }

    [Fact]
    public void QuotedHeadersAndFieldsKeepTheirSeparatorsAndBadRowsNameTheirLine()
    {
        string path = Write("q.csv", "\"a, b\";\"c\"\"d\";y", "1;\"2\";3", "", "  4 ;5;6", "7;8");
        var error = Assert.Throws<InvalidDataException>(() => CsvTable.Read(path, new CsvFormat(';')));
        Assert.Equal("q.csv:5: expected 3 columns, found 2", error.Message);

        Write("q.csv", "\"a, b\";\"c\"\"d\";y", "1;\"2\";3", "", "  4 ;5;6");
        var table = CsvTable.Read(path, new CsvFormat(';'));
        Assert.Equal(["a, b", "c\"d", "y"], table.Columns);
        Assert.Equal(new double[][] { [1, 2, 3], [4, 5, 6] }, table.Rows);
        Assert.Null(table.TaskKeys);
    }

    [Fact]
    public void ErrorsNameFileLineAndColumnButNeverQuoteACell()
    {
        string path = Write("s.csv", "task,x,y", "secret-task,1,2", "secret-task,hunter2,3", "secret-task,4,5");
        var error = Assert.Throws<InvalidDataException>(() => CsvTable.Read(path, CsvFormat.Default, "task"));
        Assert.Equal("s.csv:3: column 'x' is not a number", error.Message);

        Write("s.csv", "task,x,y", "secret-task,1,2", "secret-task,2,3", "other-secret,4,5", "other-secret,5,6");
        var tooFew = Assert.Throws<InvalidDataException>(() =>
            TabularTasks.Load(root, new TabularOptions(Kind: TaskKind.Regression, HeldOutFraction: 0, TaskColumn: "task")).Sample(1, TaskStream.Train, 0, [0], new EpisodeShape(1, 2, 2)));
        Assert.DoesNotContain("secret", tooFew.Message);
        Assert.StartsWith("s.csv[task #", tooFew.Message);

        var noColumn = Assert.Throws<InvalidDataException>(() => CsvTable.Read(Write("h.csv", "secret-header,y", "1,2"), CsvFormat.Default, "task"));
        Assert.Equal("h.csv:1: no task column named 'task' among its 2 columns", noColumn.Message);
        Assert.Equal("e.csv:1: missing header row", Assert.Throws<InvalidDataException>(() => CsvTable.Read(Write("e.csv", " ", "1,2"))).Message);
    }

    [Fact]
    public void SeparatorAndPolicyNamesAreTheOptionsValues()
    {
        Assert.Equal(['\t', ';', ',', '|'], new[] { "tab", "semicolon", "comma", "pipe" }.Select(n => CsvFormat.ParseSeparator(n)!.Value));
        Assert.Null(CsvFormat.ParseSeparator("auto"));
        Assert.Equal(MissingValuePolicy.Mean, CsvFormat.ParseMissing("mean"));
        Assert.Contains("must be one of error, drop-row, mean", Assert.Throws<ArgumentException>(() => CsvFormat.ParseMissing("zero")).Message);
    }
}
