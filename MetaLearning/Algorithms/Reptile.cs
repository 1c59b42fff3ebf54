using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Algorithms;

/// <summary>
/// Reptile (Nichol, Achiam &amp; Schulman, 2018, "On First-Order Meta-Learning Algorithms"): from θ,
/// k steps of plain gradient descent (inner learning rate α) on task i's data give θ̃ᵢ; the outer
/// direction is (1/T) Σᵢ (θ − θ̃ᵢ), which the outer optimiser uses as its gradient. With SGD at
/// rate ε (the default for <c>reptile</c>) that is the paper's θ ← θ + ε·(1/T) Σᵢ (θ̃ᵢ − θ); Adam
/// works too. No second derivatives and no outer loss: a shard returns Σᵢ (θ − θ̃ᵢ) over its tasks
/// as its "gradient sum", so the coordinator's ordered sum, its division by T and the exactly-once
/// rules are those of every other algorithm.
/// <para>
/// The inner steps use each task's support and query sets merged, the whole merged set at every
/// step (deterministic: no minibatch sampling). Reptile's update needs no held-out data inside a
/// meta-step (θ̃ᵢ is all it uses), and the paper's inner loop trains on all of a task's training
/// examples, so there is no reason to leave the query examples out: they give the inner descent
/// K + Q examples per class instead of K. (With k = 1 the direction is α·∇ℓ(Sᵢ ∪ Qᵢ; θ), joint
/// training; meta-learning needs k ≥ 2.) The reported task loss is ℓ(Sᵢ ∪ Qᵢ; θ̃ᵢ), the adapted
/// weights' loss on the data they were adapted on, and the task metric is theirs on the query part.
/// </para>
/// <para>
/// At meta-test time tasks adapt as in MAML: k steps on the support set alone, the query set scored.
/// </para>
/// </summary>
public sealed class Reptile(InnerLoopSettings inner) : IMetaAlgorithm
{
    /// <inheritdoc/>
    public string Name => "reptile";

    /// <summary>The inner loop (training and meta-test adaptation).</summary>
    public InnerLoopSettings Inner => inner;

    /// <inheritdoc/>
    public Tensor InitializeMetaParameters(IFunctionalModel model, ulong seed, ScalarType dtype = ScalarType.Float32) =>
        model.Initialize(seed, dtype);

    /// <summary>Not supported: Reptile keeps no graph from an outer loss back to θ, so TRLearner's two-phase step has nothing to work on.</summary>
    public AdaptedTasks Adapt(IFunctionalModel model, Tensor theta, TaskBatch batch) =>
        throw new NotSupportedException("reptile's outer direction is θ − θ̃, not the gradient of an outer loss: it keeps no graph for TRLearner to use");

    /// <summary>Σᵢ (θ − θ̃ᵢ) over the shard's tasks, flat like θ, with each task's merged loss and query metric under θ̃ᵢ.</summary>
    public ShardOutcome ComputeShard(IFunctionalModel model, Tensor theta, TaskBatch batch)
    {
        using var scope = NewDisposeScope();
        var start = InnerLoop.Broadcast(model, theta.detach(), batch.Count);
        var x = cat([batch.SupportX, batch.QueryX], 1);
        var y = cat([batch.SupportY, batch.QueryY], 1);
        var adapted = Descend(model, start, x, y, batch.Kind);

        using var noGrad = no_grad();
        // Tasks are independent, so each entry's [T, …] difference summed over T is the sum of the tasks' θ − θ̃ᵢ.
        var direction = cat(start.Zip(adapted, (w, a) => (w - a).sum([0]).flatten()).ToArray());
        var features = model.Features(adapted, x);
        var outputs = model.Head(adapted, features);
        long support = batch.SupportX.shape[1], query = batch.QueryX.shape[1];
        var losses = TaskLosses.PerTask(batch.Kind, outputs, y).to(ScalarType.Float64).cpu().data<double>().ToArray();
        var metrics = TaskLosses.Metric(batch.Kind, outputs.narrow(1, support, query), batch.QueryY).to(ScalarType.Float64).cpu().data<double>().ToArray();
        var embeddings = features.narrow(1, support, query).mean([1]);
        return new ShardOutcome(direction.MoveToOuterDisposeScope(), losses, embeddings.MoveToOuterDisposeScope()) { TaskMetrics = metrics };
    }

    /// <summary>Adapts on the support set as MAML does (<see cref="Inner"/>'s steps and rate) and scores the query set.</summary>
    public EvaluationOutcome Evaluate(IFunctionalModel model, Tensor theta, TaskBatch batch, IReadOnlyList<int> innerSteps) =>
        new Maml(inner, firstOrder: true, fusedKernels: false).Evaluate(model, theta, batch, innerSteps);

    // k steps of w ← w − α∇ℓ(x, y; w) for every task at once (the summed loss's gradient in a task's
    // slice is that task's own), each step's weights detached and its temporaries freed with it, so
    // memory does not grow with k.
    private Tensor[] Descend(IFunctionalModel model, Tensor[] start, Tensor x, Tensor y, TaskKind kind)
    {
        var fast = start.Select(w => w.detach().clone().requires_grad_(true)).ToArray();
        for (int step = 0; step < inner.Steps; step++)
        {
            using var stepScope = NewDisposeScope();
            var loss = TaskLosses.PerTask(kind, model.Forward(fast, x), y).sum();
            var grads = autograd.grad([loss], fast);
            var next = fast.Zip(grads, (w, g) => (w.detach() - inner.LearningRate * g).requires_grad_(true).MoveToOuterDisposeScope()).ToArray();
            foreach (var w in fast) w.Dispose();
            fast = next;
        }
        return fast.Select(w => w.detach()).ToArray();
    }
}
