using MetaCluster.Learning.Relations;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Learning;

public sealed class RelationMatrixTests
{
    private const int Tasks = 6, Features = 5;
    private readonly Tensor embeddings;
    private readonly Tensor projections = TaskSimilarity.InitializeProjections(heads: 3, projectionSize: 4, featureSize: Features, seed: 2, ScalarType.Float64);

    public RelationMatrixTests()
    {
        var random = new TaskRandom(9, 0, 0, 0);
        embeddings = tensor(Enumerable.Range(0, Tasks * Features).Select(_ => random.NextGaussian()).ToArray(), [Tasks, Features]);
    }

    [Fact]
    public void DiagonalIsZeroAndRowsSumToOne()
    {
        var a = TaskSimilarity.RelationMatrix(embeddings, projections, 0.5);
        for (int i = 0; i < Tasks; i++)
        {
            Assert.Equal(0.0, a[i, i].item<double>());
            Assert.Equal(1.0, a[i].sum().item<double>(), 12);
            for (int j = 0; j < Tasks; j++)
                if (j != i) Assert.True(a[i, j].item<double>() > 0);
        }
    }

    [Fact]
    public void PermutingTheTasksPermutesTheMatrix()
    {
        int[] permutation = [3, 0, 5, 1, 4, 2];
        var a = TaskSimilarity.RelationMatrix(embeddings, projections, 0.5);
        var permuted = TaskSimilarity.RelationMatrix(embeddings.index_select(0, tensor(permutation.Select(p => (long)p).ToArray())), projections, 0.5);
        for (int i = 0; i < Tasks; i++)
            for (int j = 0; j < Tasks; j++)
                Assert.Equal(a[permutation[i], permutation[j]].item<double>(), permuted[i, j].item<double>(), 14);
    }

    [Fact]
    public void EntriesAreTheSoftmaxOfTheHeadAveragedCosines()
    {
        const double tau = 0.7;
        var a = TaskSimilarity.RelationMatrix(embeddings, projections, tau).data<double>().ToArray();
        int heads = (int)projections.shape[0];
        double Cosine(int h, int i, int j)
        {
            var pi = matmul(projections[h], embeddings[i]).data<double>().ToArray();
            var pj = matmul(projections[h], embeddings[j]).data<double>().ToArray();
            double dot = 0, ni = 0, nj = 0;
            for (int k = 0; k < pi.Length; k++) { dot += pi[k] * pj[k]; ni += pi[k] * pi[k]; nj += pj[k] * pj[k]; }
            return dot / Math.Sqrt(ni * nj);
        }
        double S(int i, int j) => Enumerable.Range(0, heads).Average(h => Cosine(h, i, j));
        for (int i = 0; i < Tasks; i++)
        {
            double normaliser = Enumerable.Range(0, Tasks).Where(j => j != i).Sum(j => Math.Exp(S(i, j) / tau));
            for (int j = 0; j < Tasks; j++)
                if (j != i) Assert.Equal(Math.Exp(S(i, j) / tau) / normaliser, a[i * Tasks + j], 12);
        }
    }

    [Fact]
    public void ConsistencyLossIsZeroWhenAllTasksAgreeAndPositiveOtherwise()
    {
        var a = TaskSimilarity.RelationMatrix(embeddings, projections, 0.5);
        var same = ones(Tasks, 4, 2, dtype: ScalarType.Float64) * 1.5;
        Assert.Equal(0.0, RelationConsistency.Loss(a, same).item<double>(), 12);
        var different = same.clone();
        different[2].add_(1.0);
        Assert.True(RelationConsistency.Loss(a, different).item<double>() > 1e-3);
    }

    [Fact]
    public void FewerThanTwoTasksAreRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => TaskSimilarity.RelationMatrix(embeddings[..1], projections, 0.5));
        Assert.Contains("at least 2 tasks", error.Message);
    }
}
