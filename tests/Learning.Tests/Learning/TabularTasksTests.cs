using System.Globalization;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using MetaCluster.Learning.Tasks.Tabular;

namespace MetaCluster.Tests.Learning;

public sealed class TabularTasksTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("tabular-tests-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Write(string relativePath, string header, IEnumerable<double[]> rows)
    {
        string path = Path.Combine(root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, new[] { header }.Concat(rows.Select(r => string.Join(",", r.Select(v => v.ToString("R", CultureInfo.InvariantCulture))))));
        return path;
    }

    /// <summary>Rows (a, b, y) with y = 10·file + row/100: every target is unique and names its row.</summary>
    private static IEnumerable<double[]> RegressionRows(int file, int count, double scale) =>
        Enumerable.Range(0, count).Select(r => new[] { scale * r + file, scale * Math.Sin(r) - 3, 10 * file + r / 100.0 });

    private TabularTasks RegressionFamily()
    {
        Write("train/a.csv", "a,b,y", RegressionRows(1, 12, 1.0));
        Write("train/b.csv", "a,b,y", RegressionRows(2, 15, 2.0));
        Write("test/c.csv", "a,b,y", RegressionRows(3, 10, 50.0));
        return TabularTasks.Load(root);
    }

    [Fact]
    public void FeaturesAreStandardisedWithTrainingStatisticsOnly()
    {
        var family = RegressionFamily();
        Assert.Equal(TaskKind.Regression, family.Kind);
        var trainRows = RegressionRows(1, 12, 1.0).Concat(RegressionRows(2, 15, 2.0)).ToArray();
        for (int j = 0; j < 2; j++)
        {
            double mean = trainRows.Average(r => r[j]);
            double sd = Math.Sqrt(trainRows.Average(r => (r[j] - mean) * (r[j] - mean)));
            Assert.Equal(mean, family.Statistics.Mean[j], 10);
            Assert.Equal(sd, family.Statistics.StandardDeviation[j], 10);
        }

        // A held-out episode: each row is found by its unique target, and its features must be
        // standardised with the training mean and deviation (its own file's would differ a lot).
        using var batch = family.Sample(1, TaskStream.Evaluation, 0, [0, 1], new EpisodeShape(1, 3, 4));
        var heldOut = RegressionRows(3, 10, 50.0).ToArray();
        var x = batch.QueryX.data<float>().ToArray();
        var y = batch.QueryY.data<float>().ToArray();
        for (int n = 0; n < y.Length; n++)
        {
            var raw = heldOut.Single(r => Math.Abs(r[2] - y[n]) < 1e-4);
            for (int j = 0; j < 2; j++)
                Assert.Equal(family.Statistics.Standardise(j, raw[j]), x[2 * n + j], 3);
        }
    }

    [Fact]
    public void EpisodesArePureFunctionsOfTheKeyWithDistinctRows()
    {
        var family = RegressionFamily();
        var shape = new EpisodeShape(1, 4, 6);
        using var alone = family.Sample(9, TaskStream.Train, 5, [3], shape);
        using var within = family.Sample(9, TaskStream.Train, 5, [1, 3, 4], shape);
        using var later = family.Sample(9, TaskStream.Train, 6, [3], shape);
        Assert.Equal([3L, 4L, 2L], within.SupportX.shape);
        Assert.Equal([3L, 6L, 1L], within.QueryY.shape);
        Assert.Equal(alone.SupportY[0].data<float>().ToArray(), within.SupportY[1].data<float>().ToArray());
        Assert.Equal(alone.QueryX[0].data<float>().ToArray(), within.QueryX[1].data<float>().ToArray());
        Assert.NotEqual(alone.QueryY[0].data<float>().ToArray(), later.QueryY[0].data<float>().ToArray());
        for (int i = 0; i < 3; i++)
        {
            var targets = within.SupportY[i].data<float>().Concat(within.QueryY[i].data<float>()).ToArray();
            Assert.Equal(targets.Length, targets.Distinct().Count());
            // One task is one file: all its targets share the file's tens digit.
            Assert.Single(targets.Select(t => Math.Floor(t / 10)).Distinct());
        }
    }

    [Fact]
    public void IntegerTargetsWithFewValuesBecomeAscendingRemappedClasses()
    {
        // Column "copy" repeats the class value, so each row's class can be read back from its features.
        var random = new TaskRandom(1, 0, 0, 0);
        IEnumerable<double[]> Rows(int count, int[] classValues) => Enumerable.Range(0, count)
            .Select(r => new[] { random.NextGaussian(), classValues[r % classValues.Length], classValues[r % classValues.Length] });
        Write("train/p.csv", "noise,copy,label", Rows(30, [0, 2, 5]));
        Write("train/q.csv", "noise,copy,label", Rows(24, [2, 5]));
        var family = TabularTasks.Load(root);

        Assert.Equal(TaskKind.Classification, family.Kind);
        Assert.Equal([0.0, 2.0, 5.0], family.ClassValues);
        Assert.Equal([2, 64, 64, 3], Assert.IsType<Mlp>(family.CreateModel()).Sizes);

        var shape = new EpisodeShape(2, 3, 2);
        using var batch = family.Sample(4, TaskStream.Train, 0, Enumerable.Range(0, 12).Select(i => (long)i).ToArray(), shape);
        Assert.Equal([12L, 6L], batch.SupportY.shape);
        Assert.Equal([12L, 4L], batch.QueryY.shape);
        double Copy(float standardised) => standardised * family.Statistics.StandardDeviation[1] + family.Statistics.Mean[1];
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal([0L, 0L, 0L, 1L, 1L, 1L], batch.SupportY[i].data<long>().ToArray());
            var supportClass = Enumerable.Range(0, 6).Select(n => Math.Round(Copy(batch.SupportX[i, n, 1].item<float>()))).ToArray();
            var queryClass = Enumerable.Range(0, 4).Select(n => Math.Round(Copy(batch.QueryX[i, n, 1].item<float>()))).ToArray();
            Assert.Single(supportClass[..3].Distinct());
            Assert.Single(supportClass[3..].Distinct());
            Assert.True(supportClass[0] < supportClass[3], "label 0 must be the smaller class value");
            Assert.Equal(queryClass, new[] { supportClass[0], supportClass[0], supportClass[3], supportClass[3] });
        }
    }

    [Fact]
    public void AnExplicitKindAndTargetColumnOverrideTheDefaults()
    {
        Write("train/a.csv", "y,a,b", Enumerable.Range(0, 10).Select(r => new double[] { r % 2, r, 2 * r }));
        var family = TabularTasks.Load(root, new TabularOptions(TargetName: "y", Kind: TaskKind.Regression));
        Assert.Equal(TaskKind.Regression, family.Kind);
        Assert.Equal(["a", "b"], family.TrainingTasks[0].FeatureNames);
        Assert.Equal([2, 64, 64, 1], Assert.IsType<Mlp>(family.CreateModel()).Sizes);

        var error = Assert.Throws<InvalidDataException>(() => TabularTasks.Load(root, new TabularOptions(TargetName: "z")));
        Assert.Equal("a.csv:1: no column named 'z' among its 3 columns", error.Message);
    }

    [Fact]
    public void AFamilyForHeldOutFilesReusesTheTrainingStatistics()
    {
        var trained = RegressionFamily();
        var heldOut = trained.EvaluationTasks;
        var family = new TabularTasks(heldOut, [], trained.Statistics, TaskKind.Regression);
        using var batch = family.Sample(2, TaskStream.Train, 0, [0], new EpisodeShape(1, 2, 2));
        var y = batch.SupportY[0, 0, 0].item<float>();
        var raw = RegressionRows(3, 10, 50.0).Single(r => Math.Abs(r[2] - y) < 1e-4);
        Assert.Equal(trained.Statistics.Standardise(0, raw[0]), batch.SupportX[0, 0, 0].item<float>(), 3);
        Assert.NotEqual(FeatureStatistics.FromTasks(heldOut).Mean[0], trained.Statistics.Mean[0]);
    }

    [Fact]
    public void WithoutSubfoldersTheLastFilesByNameAreHeldOut()
    {
        foreach (var name in new[] { "e", "a", "d", "c", "b" })
            Write($"{name}.csv", "a,y", Enumerable.Range(0, 6).Select(r => new[] { r, r * 0.5 }));
        var family = TabularTasks.Load(root, new TabularOptions(HeldOutFraction: 0.2));
        Assert.Equal(["a.csv", "b.csv", "c.csv", "d.csv"], family.TrainingTasks.Select(t => t.Name));
        Assert.Equal(["e.csv"], family.EvaluationTasks.Select(t => t.Name));
        Assert.IsType<TabularTasks>(TaskFamilyCatalog.Create("tabular", new TaskDataOptions { Data = [root] }));
        Assert.Contains("give --data", Assert.Throws<ArgumentException>(() => TaskFamilyCatalog.Create("tabular")).Message);
    }

    [Fact]
    public void MalformedRowsNameTheFileAndLine()
    {
        string path = Path.Combine(root, "bad.csv");
        File.WriteAllLines(path, ["a,b,y", "1,2,3", "", "4,5", "6,7,8"]);
        Assert.Equal("bad.csv:4: expected 3 columns, found 2", Assert.Throws<InvalidDataException>(() => CsvTable.Read(path)).Message);

        File.WriteAllLines(path, ["a,b,y", "1,2,3", "4,x,6"]);
        Assert.Equal("bad.csv:3: column 'b' is not a number", Assert.Throws<InvalidDataException>(() => CsvTable.Read(path)).Message);

        File.WriteAllLines(path, ["a,b,y", "1,NaN,3"]);
        Assert.Equal("bad.csv:2: column 'b' is not a finite number", Assert.Throws<InvalidDataException>(() => CsvTable.Read(path)).Message);

        File.WriteAllLines(path, ["a,\"b,c\",y", "1,\"2\",3"]);
        var table = CsvTable.Read(path);
        Assert.Equal(["a", "b,c", "y"], table.Columns);
        Assert.Equal([1.0, 2.0, 3.0], table.Rows[0]);
    }

    [Fact]
    public void MismatchedColumnsAndTooSmallFilesAreNamed()
    {
        Write("train/a.csv", "a,b,y", RegressionRows(1, 12, 1.0));
        Write("train/b.csv", "a,c,y", RegressionRows(2, 12, 1.0));
        var error = Assert.Throws<InvalidDataException>(() => TabularTasks.Load(root));
        Assert.StartsWith("b.csv:1: columns (a, c → y) differ from a.csv's", error.Message);

        File.Delete(Path.Combine(root, "train", "b.csv"));
        Write("train/small.csv", "a,b,y", RegressionRows(2, 5, 1.0));
        var family = TabularTasks.Load(root);
        var tooSmall = Assert.Throws<InvalidDataException>(() => family.Sample(1, TaskStream.Train, 0, [0], new EpisodeShape(1, 3, 3)));
        Assert.Equal("small.csv: has 5 rows; an episode needs 6 (3 support + 3 query)", tooSmall.Message);
        Assert.Throws<InvalidOperationException>(() => family.Sample(1, TaskStream.Evaluation, 0, [0], new EpisodeShape(1, 2, 2)));
    }
}
