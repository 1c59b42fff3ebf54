namespace MetaCluster.Client;

/// <summary>
/// A dense float32 tensor: its values in row-major order and its shape, e.g. five 1-D regression
/// inputs are <c>new FloatTensor([-2, -1, 0, 1, 2], [5, 1])</c>.
/// </summary>
public sealed record FloatTensor
{
    /// <summary>A tensor of <paramref name="values"/> shaped <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">A dimension is negative, or the shape does not hold exactly the values.</exception>
    public FloatTensor(float[] values, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (int dimension in shape)
        {
            if (dimension < 0) throw new ArgumentException($"shape [{string.Join(", ", shape)}] has a negative dimension", nameof(shape));
            count *= dimension;
        }
        if (count != values.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] holds {count} values, got {values.Length}", nameof(values));
        Values = values;
        Shape = shape;
    }

    /// <summary>The values, row-major.</summary>
    public float[] Values { get; }

    /// <summary>The dimensions.</summary>
    public int[] Shape { get; }

    /// <summary>A 2-D tensor from rows of equal length (<c>[rows.Length, rows[0].Length]</c>).</summary>
    public static FloatTensor FromRows(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int columns = rows.Count == 0 ? 0 : rows[0].Length;
        var values = new float[rows.Count * columns];
        for (int r = 0; r < rows.Count; r++)
        {
            if (rows[r].Length != columns) throw new ArgumentException($"row {r} has {rows[r].Length} values, row 0 has {columns}", nameof(rows));
            rows[r].CopyTo(values, r * columns);
        }
        return new FloatTensor(values, [rows.Count, columns]);
    }

    /// <summary>A column of values: shape <c>[values.Length, 1]</c> (one feature or one target per example).</summary>
    public static FloatTensor Column(params float[] values) => new(values, [values.Length, 1]);

    /// <inheritdoc/>
    public override string ToString() => $"FloatTensor[{string.Join(", ", Shape)}]";

    /// <summary>Equal shapes and equal values (bit for bit, NaN equal to NaN).</summary>
    public bool Equals(FloatTensor? other) =>
        other is not null && Shape.AsSpan().SequenceEqual(other.Shape) && Values.AsSpan().SequenceEqual(other.Values);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Shape.Length, Values.Length);
}

/// <summary>What <see cref="MetaClusterClient.AdaptAndPredictAsync"/> returns.</summary>
/// <param name="Predictions"><c>[Q, outputs]</c>: regression values, or class scores for classification.</param>
/// <param name="WorkerId">The worker that adapted the model.</param>
public sealed record Prediction(FloatTensor Predictions, string WorkerId);
