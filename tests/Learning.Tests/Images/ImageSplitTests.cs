using MetaCluster.Learning.Images;

namespace MetaCluster.Tests.Images;

[Collection("Omniglot")]
public sealed class ImageSplitTests(OmniglotFixture omniglot)
{
    [Fact]
    public void SplitByGroupPutsNoClassInBothSplitsAndLosesNone()
    {
        var (train, evaluation) = ImageSplit.Apply(omniglot.Union, ImageSelection.ByGroups(OmniglotData.Small1Groups), null);

        Assert.Equal(136, train.Classes.Count);
        Assert.Equal(106, evaluation.Classes.Count);
        Assert.Equal(OmniglotData.HeldOutGroups, evaluation.Groups);
        Assert.Empty(train.Classes.Select(c => c.Key).Intersect(evaluation.Classes.Select(c => c.Key)));
        Assert.Empty(train.Groups.Intersect(evaluation.Groups));
        Assert.Equal(omniglot.Union.Classes.Select(c => c.Key).Order(), train.Classes.Concat(evaluation.Classes).Select(c => c.Key).Order());
    }

    [Fact]
    public void OverlappingSelectionsAreRefusedNamingASharedClass()
    {
        // Read outside the lambda: a skip for missing data must not count as the wrong exception.
        var union = omniglot.Union;
        var error = Assert.Throws<ArgumentException>(() =>
            ImageSplit.Apply(union, ImageSelection.ByGroups("Greek", "Latin"), ImageSelection.ByGroups("Latin", "Korean")));
        Assert.Contains("'Latin/character01'", error.Message);
    }

    [Fact]
    public void AnUnknownGroupIsNamed()
    {
        var union = omniglot.Union;
        var error = Assert.Throws<ArgumentException>(() => ImageSplit.Apply(union, ImageSelection.ByGroups("Greek", "Klingon"), null));
        Assert.Contains("'Klingon'", error.Message);
    }

    [Fact]
    public void AClassListFileSelectsExactlyItsClasses()
    {
        using var folder = new TempFolder();
        var list = folder.Write("test-classes.txt", System.Text.Encoding.UTF8.GetBytes(
            "# held-out characters\nGreek/character03\n\nTagalog/character01\r\nSanskrit/character10\n"));

        var (train, evaluation) = ImageSplit.Apply(omniglot.Union, null, ImageSelection.FromClassList(list));

        Assert.Equal(["Greek/character03", "Sanskrit/character10", "Tagalog/character01"], evaluation.Classes.Select(c => c.Key));
        Assert.Equal(239, train.Classes.Count);
        Assert.Null(train.Find("Greek/character03"));
    }

    [Fact]
    public void AClassListLineThatIsNotInTheDataIsNamedWithItsLineNumber()
    {
        using var folder = new TempFolder();
        var list = folder.Write("classes.txt", System.Text.Encoding.UTF8.GetBytes("Greek/character01\nGreek/character99\n"));
        var union = omniglot.Union;
        var error = Assert.Throws<InvalidDataException>(() => ImageSelection.FromClassList(list).Apply(union));
        Assert.Contains("classes.txt:2", error.Message);
        Assert.Contains("'Greek/character99'", error.Message);
    }

    [Fact]
    public void EpisodesOfEachStreamComeOnlyFromItsSplit()
    {
        var (train, evaluation) = ImageSplit.Apply(omniglot.Union, ImageSelection.ByGroups(OmniglotData.Small1Groups), null);
        var tasks = new ImageTasks(train, evaluation);
        var shape = new MetaCluster.Learning.Tasks.EpisodeShape(20, 1, 1);
        for (int i = 0; i < 20; i++)
        {
            var trainPlan = tasks.Plan(5, MetaCluster.Learning.Tasks.TaskStream.Train, 0, i, shape);
            var evaluationPlan = tasks.Plan(5, MetaCluster.Learning.Tasks.TaskStream.Evaluation, 0, i, shape);
            Assert.All(trainPlan.Classes, c => Assert.Contains(tasks.Pool(MetaCluster.Learning.Tasks.TaskStream.Train)[c].Source.Group, OmniglotData.Small1Groups));
            Assert.All(evaluationPlan.Classes, c => Assert.Contains(tasks.Pool(MetaCluster.Learning.Tasks.TaskStream.Evaluation)[c].Source.Group, OmniglotData.HeldOutGroups));
        }
    }
}
