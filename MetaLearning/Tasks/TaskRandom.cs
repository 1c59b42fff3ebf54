namespace MetaCluster.Learning.Tasks;

/// <summary>
/// A small deterministic random source keyed by (run seed, stream, step, task index), so any
/// worker can rebuild any task by itself and a reassigned shard yields the same tasks.
/// SplitMix64 mixes the key; xoshiro256** draws the numbers. It never depends on libtorch's RNG,
/// the thread, or the process.
/// </summary>
public sealed class TaskRandom
{
    private ulong s0, s1, s2, s3;

    /// <summary>Seeds the generator from the four parts of a task's key.</summary>
    public TaskRandom(ulong seed, ulong stream, long step, long index)
    {
        ulong x = seed;
        x = Mix(x ^ Mix(stream + 0x9E3779B97F4A7C15UL));
        x = Mix(x ^ Mix((ulong)step + 0xD1B54A32D192ED03UL));
        x = Mix(x ^ Mix((ulong)index + 0x8CB92BA72F3D8DD7UL));
        s0 = SplitMix(ref x); s1 = SplitMix(ref x); s2 = SplitMix(ref x); s3 = SplitMix(ref x);
    }

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform double in [low, high).</summary>
    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>A uniform integer in [0, n).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        // Lemire's multiply-shift with rejection: unbiased.
        ulong bound = (ulong)n;
        while (true)
        {
            UInt128 m = (UInt128)NextUInt64() * bound;
            ulong low = (ulong)m;
            if (low >= bound || low >= (0UL - bound) % bound) return (int)(m >> 64);
        }
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>k distinct integers from [0, n), in random order (partial Fisher–Yates).</summary>
    public int[] Choose(int n, int k)
    {
        if (k > n) throw new ArgumentOutOfRangeException(nameof(k), $"cannot choose {k} of {n}");
        var pool = Enumerable.Range(0, n).ToArray();
        for (int i = 0; i < k; i++)
        {
            int j = i + NextInt(n - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool[..k];
    }

    /// <summary>The next raw 64 bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = RotateLeft(s3, 45);
        return result;
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        return Mix(x);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
