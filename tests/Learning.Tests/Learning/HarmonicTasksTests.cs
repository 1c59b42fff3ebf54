using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;

namespace MetaCluster.Tests.Learning;

public sealed class HarmonicTasksTests
{
    private readonly HarmonicTasks family = new();

    [Fact]
    public void TargetsAreTheSumOfTheTasksTwoSinusoidsWithinTheStatedRanges()
    {
        long[] indices = [0, 1, 2, 3, 4, 5, 6, 7];
        using var batch = family.Sample(5, TaskStream.Train, 3, indices, new EpisodeShape(1, 10, 15));
        for (int i = 0; i < indices.Length; i++)
        {
            var c = HarmonicTasks.Draw(5, TaskStream.Train, 3, indices[i]);
            Assert.InRange(c.A1, 0.1, 5.0); Assert.InRange(c.A2, 0.1, 5.0);
            Assert.InRange(c.Omega1, 0.5, 2.0); Assert.InRange(c.Omega2, 0.5, 2.0);
            Assert.InRange(c.Phi1, 0.0, Math.PI); Assert.InRange(c.Phi2, 0.0, Math.PI);
            foreach (var (x, y) in new[] { (batch.SupportX, batch.SupportY), (batch.QueryX, batch.QueryY) })
            {
                var xs = x[i].flatten().data<float>().ToArray();
                var ys = y[i].flatten().data<float>().ToArray();
                for (int n = 0; n < xs.Length; n++)
                {
                    Assert.InRange(xs[n], -5f, 5f);
                    // Float32 storage of x and y: |dy/dx| ≤ 20 and |y| ≤ 10 bound the rounding well below 1e-4.
                    Assert.True(Math.Abs(c.Evaluate(xs[n]) - ys[n]) < 1e-4, $"task {i}: y({xs[n]}) = {ys[n]}, expected {c.Evaluate(xs[n])}");
                }
            }
        }
    }

    [Fact]
    public void ATaskIsAPureFunctionOfItsKey()
    {
        var shape = new EpisodeShape(1, 5, 5);
        using var alone = family.Sample(1, TaskStream.Train, 9, [4], shape);
        using var within = family.Sample(1, TaskStream.Train, 9, [2, 4, 6], shape);
        Assert.Equal(alone.QueryY[0].data<float>().ToArray(), within.QueryY[1].data<float>().ToArray());
        Assert.NotEqual(HarmonicTasks.Draw(1, TaskStream.Train, 9, 4), HarmonicTasks.Draw(1, TaskStream.Evaluation, 9, 4));
    }

    [Fact]
    public void TheModelIsTheMamlRegressionMlpAndTheFamilyIsRegistered()
    {
        var model = Assert.IsType<Mlp>(family.CreateModel());
        Assert.Equal([1, 40, 40, 1], model.Sizes);
        Assert.IsType<HarmonicTasks>(TaskFamilyCatalog.Create("harmonic"));
        Assert.Contains("harmonic", TaskFamilyCatalog.Names);
    }
}
