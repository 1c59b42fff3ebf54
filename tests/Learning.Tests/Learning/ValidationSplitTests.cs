using System.Globalization;
using MetaCluster.Learning.Images;
using MetaCluster.Learning.Tasks;
using MetaCluster.Learning.Tasks.Tabular;

namespace MetaCluster.Tests.Learning;

/// <summary>The validation split: held out of the training data, disjoint from the training and test splits, seed-independent.</summary>
public sealed class ValidationSplitTests
{
    [Theory]
    [InlineData(10, 0.1, 1)]
    [InlineData(10, 0.25, 3)]
    [InlineData(7, 0.5, 4)]
    [InlineData(3, 0.01, 1)]
    [InlineData(3, 0.99, 2)]
    public void PickTakesRoundedFractionAtLeastOneAndNeverAll(int count, double fraction, int expected)
    {
        var picked = ValidationSplit.Pick(count, fraction, "items");
        Assert.Equal(expected, picked.Count(p => p));
    }

    [Fact]
    public void PickSpreadsTheSplitEvenlyOverTheOrder()
    {
        var picked = ValidationSplit.Pick(20, 0.2, "items");
        Assert.Equal([4, 9, 14, 19], Enumerable.Range(0, 20).Where(i => picked[i]));
    }

    [Fact]
    public void PickRefusesAFractionOutsideZeroToOneAndTooFewItems()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ValidationSplit.Pick(10, 0, "items"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ValidationSplit.Pick(10, 1, "items"));
        Assert.Contains("1 class(es)", Assert.Throws<ArgumentException>(() => ValidationSplit.Pick(1, 0.5, "class(es)")).Message);
    }

    [Fact]
    public void ImageValidationClassesAreDisjointFromTrainingAndTestClasses()
    {
        using var folder = new TempFolder();
        ulong noise = 0;
        foreach (var group in new[] { "a", "b", "c", "d", "e" })
            for (int c = 0; c < 4; c++)
                for (int i = 0; i < 3; i++)
                    folder.Write($"{group}/c{c}/{i}.png", PngImages.Rectangle(28, i, i, 8 + i + c, 20, ++noise));

        var without = Assert.IsType<ImageTasks>(TaskFamilyCatalog.Create("images", new TaskDataOptions { Data = [folder.Path], Ways = 2 }));
        var family = Assert.IsType<ImageTasks>(TaskFamilyCatalog.Create("images",
            new TaskDataOptions { Data = [folder.Path], Ways = 2, ValidationFraction = 0.25 }));

        var train = family.Train.Classes.Select(c => c.Key).ToHashSet();
        var test = family.Evaluation.Classes.Select(c => c.Key).ToHashSet();
        var validation = family.Validation!.Classes.Select(c => c.Key).ToHashSet();
        Assert.Null(without.Validation);
        // The test split (the last fifth of groups: e) is as without validation; validation comes out of the training classes.
        Assert.Equal(without.Evaluation.Classes.Select(c => c.Key), family.Evaluation.Classes.Select(c => c.Key));
        Assert.Equal(4, validation.Count);
        Assert.Empty(validation.Intersect(test));
        Assert.Empty(validation.Intersect(train));
        Assert.Equal(without.Train.Classes.Select(c => c.Key).ToHashSet(), train.Union(validation).ToHashSet());
        // Validation episodes draw only validation classes.
        var plan = family.Plan(3, TaskStream.Validation, 0, 0, new EpisodeShape(2, 1, 1));
        Assert.All(family.Pool(TaskStream.Validation), c => Assert.Contains(c.Source.Key, validation));
        Assert.Contains("validation split", Assert.Throws<ArgumentException>(() => without.Pool(TaskStream.Validation)).Message);
        Assert.NotNull(plan);
    }

    [Fact]
    public void TabularValidationFilesAreDisjointFromTrainingAndHeldOutFiles()
    {
        using var folder = new TempFolder();
        for (int f = 0; f < 10; f++)
            folder.Write($"task{f:00}.csv", System.Text.Encoding.UTF8.GetBytes("x,y\n" + string.Join("\n", Enumerable.Range(0, 12).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r + f},{0.5 * r - f}")))));

        var family = Assert.IsType<TabularTasks>(TaskFamilyCatalog.Create("tabular",
            new TaskDataOptions { Data = [folder.Path], ValidationFraction = 0.25 }));

        var train = family.TrainingTasks.Select(t => t.Name).ToHashSet();
        var test = family.EvaluationTasks.Select(t => t.Name).ToHashSet();
        var validation = family.ValidationTasks.Select(t => t.Name).ToHashSet();
        Assert.Equal(2, validation.Count);
        Assert.Empty(validation.Intersect(test));
        Assert.Empty(validation.Intersect(train));
        Assert.Equal(10, train.Count + test.Count + validation.Count);
        using var batch = family.Sample(0, TaskStream.Validation, 0, [0, 1, 2], new EpisodeShape(1, 3, 3));
        Assert.Equal(3, batch.SupportX.shape[0]);
    }
}
