using MetaCluster.Learning.Algorithms;
using MetaCluster.Tests.Learning;

namespace MetaCluster.Tests.Images;

public sealed class Cnn4MamlGradientTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SecondOrderMetaGradientThroughTheCnnEqualsCentralFiniteDifferences(int innerSteps)
    {
        const double alpha = 0.3;
        var problem = new TinyImageProblem();
        var maml = new Maml(new InnerLoopSettings(innerSteps, alpha), firstOrder: false);

        var outcome = maml.ComputeShard(problem.Model, problem.Theta, problem.Batch);
        var expected = problem.FiniteDifferenceGradient(innerSteps, alpha);

        GradientAssert.Close(outcome.GradientSum.data<double>().ToArray(), expected, 1e-6);
        Assert.Equal(problem.Objective(problem.Theta, innerSteps, alpha), outcome.TaskLosses.Sum(), 10);
    }
}
