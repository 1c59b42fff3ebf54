namespace MetaCluster.Learning.Tasks.Tabular;

/// <summary>One task of a tabular family: one CSV file's rows split into raw features and a target.</summary>
public sealed class TabularTask
{
    /// <summary>Creates a task from raw (unstandardised) feature rows and their targets.</summary>
    public TabularTask(string name, IReadOnlyList<string> featureNames, string targetName, IReadOnlyList<double[]> features, IReadOnlyList<double> targets)
    {
        if (features.Count != targets.Count) throw new ArgumentException($"{name}: {features.Count} feature rows but {targets.Count} targets");
        if (features.Any(r => r.Length != featureNames.Count)) throw new ArgumentException($"{name}: every row needs {featureNames.Count} features");
        Name = name;
        FeatureNames = featureNames;
        TargetName = targetName;
        Features = features;
        Targets = targets;
    }

    /// <summary>The file name, for messages.</summary>
    public string Name { get; }

    /// <summary>The feature columns, in order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The target column.</summary>
    public string TargetName { get; }

    /// <summary>Raw feature rows.</summary>
    public IReadOnlyList<double[]> Features { get; }

    /// <summary>The target of each row.</summary>
    public IReadOnlyList<double> Targets { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Targets.Count;

    /// <summary>
    /// Splits a table into features and target: the column called <paramref name="targetName"/>,
    /// or the last column when it is null; every other column is a feature.
    /// </summary>
    public static TabularTask FromTable(CsvTable table, string? targetName = null)
    {
        int target = targetName is null ? table.Columns.Count - 1 : IndexOf(table, targetName);
        if (table.Columns.Count < 2) throw new InvalidDataException($"{table.Name}:1: needs at least one feature column besides the target");
        var featureColumns = Enumerable.Range(0, table.Columns.Count).Where(c => c != target).ToArray();
        return new TabularTask(table.Name,
            featureColumns.Select(c => table.Columns[c]).ToArray(),
            table.Columns[target],
            table.Rows.Select(r => featureColumns.Select(c => r[c]).ToArray()).ToArray(),
            table.Rows.Select(r => r[target]).ToArray());
    }

    private static int IndexOf(CsvTable table, string column)
    {
        for (int c = 0; c < table.Columns.Count; c++)
            if (table.Columns[c] == column) return c;
        throw new InvalidDataException($"{table.Name}:1: no column named '{column}' (columns: {string.Join(", ", table.Columns)})");
    }
}
