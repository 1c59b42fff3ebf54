using MetaCluster.Learning.Models;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Tasks;

/// <summary>
/// Sinusoid regression (Finn et al., 2017): y = A·sin(x − φ), A ~ U[0.1, 5], φ ~ U[0, π],
/// x ~ U[−5, 5]; support and query points drawn independently. Model: MLP 1-40-40-1.
/// </summary>
public sealed class SinusoidTasks : ITaskFamily
{
    /// <inheritdoc/>
    public TaskKind Kind => TaskKind.Regression;

    /// <inheritdoc/>
    public IFunctionalModel CreateModel() => new Mlp(1, 40, 40, 1);

    /// <inheritdoc/>
    public TaskBatch Sample(ulong seed, TaskStream stream, long step, IReadOnlyList<long> taskIndices, EpisodeShape shape)
    {
        int t = taskIndices.Count, k = shape.Shots, q = shape.Query;
        var sx = new float[t * k]; var sy = new float[t * k];
        var qx = new float[t * q]; var qy = new float[t * q];
        for (int i = 0; i < t; i++)
        {
            var random = new TaskRandom(seed, (ulong)stream, step, taskIndices[i]);
            double amplitude = random.Uniform(0.1, 5.0);
            double phase = random.Uniform(0.0, Math.PI);
            for (int j = 0; j < k; j++)
            {
                double x = random.Uniform(-5.0, 5.0);
                sx[i * k + j] = (float)x;
                sy[i * k + j] = (float)(amplitude * Math.Sin(x - phase));
            }
            for (int j = 0; j < q; j++)
            {
                double x = random.Uniform(-5.0, 5.0);
                qx[i * q + j] = (float)x;
                qy[i * q + j] = (float)(amplitude * Math.Sin(x - phase));
            }
        }
        return new TaskBatch(TaskKind.Regression,
            tensor(sx, [t, k, 1]), tensor(sy, [t, k, 1]),
            tensor(qx, [t, q, 1]), tensor(qy, [t, q, 1]));
    }
}
