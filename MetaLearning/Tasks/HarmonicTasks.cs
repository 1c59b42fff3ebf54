using MetaCluster.Learning.Models;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Tasks;

/// <summary>
/// Harmonic regression: the sum of two sinusoids, y = Σ_{j=1,2} A_j·sin(ω_j·x + φ_j), with
/// A_j ~ U[0.1, 5], ω_j ~ U[0.5, 2], φ_j ~ U[0, π] drawn per task and x ~ U[−5, 5] per point;
/// support and query points drawn independently. Model: MLP 1-40-40-1.
/// </summary>
public sealed class HarmonicTasks : ITaskFamily
{
    /// <summary>One task's draw: amplitudes, angular frequencies and phases of its two components.</summary>
    public sealed record Components(double A1, double Omega1, double Phi1, double A2, double Omega2, double Phi2)
    {
        /// <summary>y(x).</summary>
        public double Evaluate(double x) => A1 * Math.Sin(Omega1 * x + Phi1) + A2 * Math.Sin(Omega2 * x + Phi2);
    }

    /// <inheritdoc/>
    public TaskKind Kind => TaskKind.Regression;

    /// <inheritdoc/>
    public IFunctionalModel CreateModel() => new Mlp(1, 40, 40, 1);

    /// <summary>The components of task (seed, stream, step, index); the points are drawn after them from the same generator.</summary>
    public static Components Draw(TaskRandom random) => new(
        random.Uniform(0.1, 5.0), random.Uniform(0.5, 2.0), random.Uniform(0.0, Math.PI),
        random.Uniform(0.1, 5.0), random.Uniform(0.5, 2.0), random.Uniform(0.0, Math.PI));

    /// <summary>The components of the task with this key.</summary>
    public static Components Draw(ulong seed, TaskStream stream, long step, long index) =>
        Draw(new TaskRandom(seed, (ulong)stream, step, index));

    /// <inheritdoc/>
    public TaskBatch Sample(ulong seed, TaskStream stream, long step, IReadOnlyList<long> taskIndices, EpisodeShape shape)
    {
        int t = taskIndices.Count, k = shape.Shots, q = shape.Query;
        var sx = new float[t * k]; var sy = new float[t * k];
        var qx = new float[t * q]; var qy = new float[t * q];
        for (int i = 0; i < t; i++)
        {
            var random = new TaskRandom(seed, (ulong)stream, step, taskIndices[i]);
            var task = Draw(random);
            for (int j = 0; j < k; j++)
            {
                double x = random.Uniform(-5.0, 5.0);
                sx[i * k + j] = (float)x;
                sy[i * k + j] = (float)task.Evaluate(x);
            }
            for (int j = 0; j < q; j++)
            {
                double x = random.Uniform(-5.0, 5.0);
                qx[i * q + j] = (float)x;
                qy[i * q + j] = (float)task.Evaluate(x);
            }
        }
        return new TaskBatch(TaskKind.Regression,
            tensor(sx, [t, k, 1]), tensor(sy, [t, k, 1]),
            tensor(qx, [t, q, 1]), tensor(qy, [t, q, 1]));
    }
}
