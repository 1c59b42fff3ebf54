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

    /// <summary>The file name (with a task column: and the task's number), for messages.</summary>
    public string Name { get; }

    /// <summary>With a task column: the task's value in it (cell text: kept out of names and messages); otherwise null.</summary>
    public string? TaskKey { get; init; }

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
    public static TabularTask FromTable(CsvTable table, string? targetName = null) =>
        FromRows(table, table.Name, table.Rows, targetName);

    /// <summary>
    /// One task per distinct value of the table's task column (<see cref="CsvTable.TaskKeys"/>), in
    /// ordinal order of the values, named <c>file.csv[column #n]</c> (n: the value's place in that
    /// order; the value itself is a cell, never put into names or messages, which travel to remote
    /// clients); features and target as <see cref="FromTable"/>.
    /// </summary>
    public static IReadOnlyList<TabularTask> SplitByTask(CsvTable table, string? targetName = null)
    {
        var keys = table.TaskKeys ?? throw new ArgumentException($"{table.Name}: read without a task column");
        return keys.Select((key, row) => (key, row)).GroupBy(p => p.key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select((g, n) => FromRows(table, $"{table.Name}[{table.TaskColumn} #{n + 1}]", g.Select(p => table.Rows[p.row]).ToArray(), targetName, g.Key))
            .ToArray();
    }

    // Missing values (NaN, kept by the mean policy): a row without its target is left out, a
    // missing feature becomes the mean of that feature over the task's rows that have it.
    private static TabularTask FromRows(CsvTable table, string name, IReadOnlyList<double[]> rows, string? targetName, string? key = null)
    {
        int target = targetName is null ? table.Columns.Count - 1 : IndexOf(table, targetName);
        if (table.Columns.Count < 2) throw new InvalidDataException($"{table.Name}:1: needs at least one feature column besides the target");
        var featureColumns = Enumerable.Range(0, table.Columns.Count).Where(c => c != target).ToArray();
        rows = rows.Where(r => !double.IsNaN(r[target])).ToArray();
        if (rows.Count == 0) throw new InvalidDataException($"{name}: no row has a target value");
        var features = rows.Select(r => featureColumns.Select(c => r[c]).ToArray()).ToArray();
        for (int f = 0; f < featureColumns.Length; f++)
        {
            var present = features.Select(r => r[f]).Where(v => !double.IsNaN(v)).ToArray();
            if (present.Length == features.Length) continue;
            if (present.Length == 0) throw new InvalidDataException($"{name}: column '{table.Columns[featureColumns[f]]}' has no value to take the mean of");
            double mean = present.Average();
            foreach (var r in features) if (double.IsNaN(r[f])) r[f] = mean;
        }
        return new TabularTask(name, featureColumns.Select(c => table.Columns[c]).ToArray(), table.Columns[target],
            features, rows.Select(r => r[target]).ToArray()) { TaskKey = key };
    }

    private static int IndexOf(CsvTable table, string column)
    {
        for (int c = 0; c < table.Columns.Count; c++)
            if (table.Columns[c] == column) return c;
        throw new InvalidDataException($"{table.Name}:1: no column named '{column}' among its {table.Columns.Count} columns"); // header text is not echoed: messages travel to remote clients
    }
}
