using System.Numerics.Tensors;
using MetaCluster.DataPlane.Wire;

namespace MetaCluster.DataPlane.Reduction;

/// <summary>
/// Sums the gradients of a meta-step's shards in shard order, as their chunks stream in.
/// The shard next in order is folded straight into the sum, chunk by chunk, so the usual case
/// holds one copy of the gradient, not one per worker; a shard that finishes out of order waits in
/// a buffer of its own until its turn. Summing in a fixed order makes the result identical however
/// the shards were spread over workers or retried.
/// A stream that breaks after folding part of itself into the sum leaves the sum unusable
/// (<see cref="IsCorrupted"/>): floating-point addition cannot be undone exactly, so the caller
/// restarts the step.
/// Buffers of early shards come from <paramref name="buffers"/> (when given) and go back to it once
/// folded in; so does the sum's own array, through the <see cref="GradientLease"/> its user takes
/// (<see cref="TakeSum"/>), or at <see cref="Dispose"/> when nobody took it. The sum needs no
/// clearing: shard 0 is copied into it, not added.
/// </summary>
public sealed class OrderedGradientSum(int shards, int elements, GradientBufferPool? buffers = null) : IDisposable
{
    private readonly Lock gate = new();
    private readonly float[] sum = buffers?.Rent(elements) ?? GC.AllocateUninitializedArray<float>(elements);
    private readonly float[]?[] pending = new float[shards][];
    private readonly bool[] finished = new bool[shards];
    private int nextToFold;
    private int directShard = -1;
    private bool taken;

    /// <summary>Elements of the gradient.</summary>
    public int Elements => elements;

    /// <summary>
    /// The sum of whole gradients in their order (a worker's pre-reduction group): the same
    /// additions, in the same order, as when they stream in, so where a group is summed does not
    /// change a bit of it.
    /// </summary>
    public static float[] Of(IReadOnlyList<float[]> gradients)
    {
        if (gradients.Count == 0) throw new ArgumentException("a sum needs at least one gradient", nameof(gradients));
        var sum = new OrderedGradientSum(gradients.Count, gradients[0].Length);
        for (int i = 0; i < gradients.Count; i++)
        {
            if (gradients[i].Length != sum.Elements) throw new ArgumentException($"gradient {i} has {gradients[i].Length} elements, the first {sum.Elements}", nameof(gradients));
            using var sink = sum.Begin(i);
            sink.Add(0, gradients[i]);
            sink.Complete();
        }
        using var lease = sum.TakeSum();
        return lease.Detach();
    }

    /// <summary>True once every shard is folded in.</summary>
    public bool IsComplete { get { lock (gate) return nextToFold == shards; } }

    /// <summary>True when a direct stream broke part-way: the step must be recomputed.</summary>
    public bool IsCorrupted { get; private set; }

    /// <summary>
    /// Hands the complete sum over to its user, once: the lease gives the array back to the pool
    /// when disposed.
    /// </summary>
    public GradientLease TakeSum()
    {
        lock (gate)
        {
            if (nextToFold != shards || IsCorrupted) throw new InvalidOperationException("the sum is not complete");
            if (taken) throw new InvalidOperationException("the sum was already taken");
            taken = true;
            return new GradientLease(sum, buffers);
        }
    }

    /// <summary>Gives the sum's array back to the pool unless a lease took it (a round that was abandoned).</summary>
    public void Dispose()
    {
        lock (gate)
        {
            // A stream still writing into the sum (a direct shard) would race a reuse: then the array is left to the GC.
            if (taken || directShard >= 0) return;
            taken = true;
        }
        buffers?.Return(sum);
    }

    /// <summary>Starts receiving a shard's gradient.</summary>
    public ShardSink Begin(int shard)
    {
        lock (gate)
        {
            if (shard < 0 || shard >= shards) throw new ArgumentOutOfRangeException(nameof(shard));
            if (finished[shard]) throw new InvalidOperationException($"shard {shard} was already received");
            if (shard == nextToFold && directShard < 0)
            {
                directShard = shard;
                return new ShardSink(this, shard, null);
            }
            return new ShardSink(this, shard, buffers?.Rent(elements) ?? GC.AllocateUninitializedArray<float>(elements));
        }
    }

    private void Add(int shard, float[]? buffer, long elementOffset, ReadOnlySpan<float> values)
    {
        if (elementOffset < 0 || elementOffset + values.Length > elements)
            throw new ArgumentOutOfRangeException(nameof(elementOffset), $"chunk [{elementOffset}, {elementOffset + values.Length}) lies outside the gradient of {elements} elements");
        if (buffer is not null)
        {
            values.CopyTo(buffer.AsSpan((int)elementOffset));
            return;
        }
        lock (gate)
        {
            var target = sum.AsSpan((int)elementOffset, values.Length);
            if (shard == 0) values.CopyTo(target); // 0 + x == x exactly; skip the add
            else TensorPrimitives.Add(target, values, target);
        }
    }

    private void Finish(int shard, float[]? buffer)
    {
        lock (gate)
        {
            finished[shard] = true;
            if (buffer is null)
            {
                directShard = -1;
                nextToFold++;
            }
            else
            {
                pending[shard] = buffer;
            }
            while (nextToFold < shards && pending[nextToFold] is { } ready)
            {
                if (nextToFold == 0) ready.CopyTo(sum, 0);
                else TensorPrimitives.Add(sum, ready, sum);
                pending[nextToFold] = null;
                buffers?.Return(ready);
                nextToFold++;
            }
        }
    }

    private void Abort(int shard, float[]? buffer)
    {
        lock (gate)
        {
            if (buffer is null)
            {
                directShard = -1;
                IsCorrupted = true;
            }
            else
            {
                buffers?.Return(buffer);
            }
        }
    }

    /// <summary>Receives one shard's gradient. Dispose without <see cref="Complete"/> means the stream broke.</summary>
    public sealed class ShardSink : IGradientSink, IDisposable
    {
        private readonly OrderedGradientSum owner;
        private readonly float[]? buffer;
        private bool done;
        private long received;

        internal ShardSink(OrderedGradientSum owner, int shard, float[]? buffer)
        {
            this.owner = owner;
            this.buffer = buffer;
            Shard = shard;
        }

        /// <summary>The shard.</summary>
        public int Shard { get; }

        /// <summary>Elements of the gradient.</summary>
        public int Elements => owner.Elements;

        /// <summary>Adds a chunk of the shard's gradient at an element offset. Chunks arrive in order.</summary>
        public void Add(long elementOffset, ReadOnlySpan<float> values)
        {
            if (elementOffset != received)
                throw new InvalidDataException($"gradient chunk at element {elementOffset}, expected {received}: chunks must arrive in order");
            owner.Add(Shard, buffer, elementOffset, values);
            received += values.Length;
        }

        /// <summary>Marks the shard fully received.</summary>
        public void Complete()
        {
            if (received != owner.Elements)
                throw new InvalidDataException($"gradient has {received} elements, expected {owner.Elements}");
            done = true;
            owner.Finish(Shard, buffer);
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            if (!done) owner.Abort(Shard, buffer);
        }
    }
}
