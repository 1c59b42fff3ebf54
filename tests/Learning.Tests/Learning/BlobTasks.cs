using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Learning;

/// <summary>
/// A tiny deterministic classification family for tests: each task places its classes' centres at
/// random in the plane; samples are centres plus Gaussian noise. Labels 0..Ways−1 in class order,
/// Shots and Query per class.
/// </summary>
internal sealed class BlobTasks(int ways) : ITaskFamily
{
    public TaskKind Kind => TaskKind.Classification;

    public IFunctionalModel CreateModel() => new Mlp(2, 6, 4, ways);

    public TaskBatch Sample(ulong seed, TaskStream stream, long step, IReadOnlyList<long> taskIndices, EpisodeShape shape)
    {
        int t = taskIndices.Count, s = shape.Ways * shape.Shots, q = shape.Ways * shape.Query;
        var sx = new float[t * s * 2]; var sy = new long[t * s];
        var qx = new float[t * q * 2]; var qy = new long[t * q];
        for (int i = 0; i < t; i++)
        {
            var random = new TaskRandom(seed, (ulong)stream, step, taskIndices[i]);
            var centres = Enumerable.Range(0, shape.Ways).Select(_ => (random.Uniform(-2, 2), random.Uniform(-2, 2))).ToArray();
            void Fill(float[] x, long[] y, int offset, int perClass)
            {
                for (int c = 0; c < shape.Ways; c++)
                    for (int k = 0; k < perClass; k++)
                    {
                        int n = offset + c * perClass + k;
                        x[2 * n] = (float)(centres[c].Item1 + 0.5 * random.NextGaussian());
                        x[2 * n + 1] = (float)(centres[c].Item2 + 0.5 * random.NextGaussian());
                        y[n] = c;
                    }
            }
            Fill(sx, sy, i * s, shape.Shots);
            Fill(qx, qy, i * q, shape.Query);
        }
        return new TaskBatch(TaskKind.Classification, tensor(sx, [t, s, 2]), tensor(sy, [t, s]), tensor(qx, [t, q, 2]), tensor(qy, [t, q]));
    }
}
