namespace MetaCluster.Learning.Tasks.Tabular;

/// <summary>
/// Where a tabular family's tasks come from. <c>--data</c> is a directory of tables (<c>*.csv</c>,
/// <c>*.tsv</c>, <c>*.txt</c>) or one table. Without a task column every table is one task; with
/// <see cref="TabularOptions.TaskColumn"/> every distinct value of that column in a table is one
/// task. The held-out tasks are those of <c>DIR/test/</c> when <c>DIR/train/</c> exists, otherwise
/// the last <see cref="TabularOptions.HeldOutFraction"/> of the tasks in ordinal order of their
/// names (table name, then task value; at least one held out when there are two or more tasks,
/// at least one kept for training).
/// </summary>
public static class TabularSources
{
    private static readonly string[] Patterns = ["*.csv", "*.tsv", "*.txt"];

    /// <summary>The training and held-out tasks of <paramref name="path"/>.</summary>
    public static (TabularTask[] Train, TabularTask[] Test) Read(string path, TabularOptions options)
    {
        if (options.HeldOutFraction is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(options), "the held-out fraction must be in [0, 1)");
        if (File.Exists(path)) return Split(Tasks([path], options));
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"tabular data directory '{path}' does not exist");
        if (Directory.Exists(System.IO.Path.Combine(path, "train")))
        {
            var train = Tasks(Tables(System.IO.Path.Combine(path, "train")), options);
            string testDirectory = System.IO.Path.Combine(path, "test");
            var test = Directory.Exists(testDirectory) ? Tasks(Tables(testDirectory), options) : [];
            if (train.Length == 0) throw new InvalidDataException($"no training CSV files in '{path}'");
            return (train, test);
        }
        var tables = Tables(path);
        if (tables.Length == 0) throw new InvalidDataException($"no training CSV files in '{path}'");
        return Split(Tasks(tables, options));

        (TabularTask[], TabularTask[]) Split(TabularTask[] all)
        {
            int heldOut = all.Length < 2 ? 0 : Math.Min((int)Math.Ceiling(options.HeldOutFraction * all.Length), all.Length - 1);
            return (all[..^heldOut], all[^heldOut..]);
        }
    }

    private static TabularTask[] Tasks(string[] tables, TabularOptions options) =>
        tables.SelectMany(file =>
        {
            var table = CsvTable.Read(file, options.Format, options.TaskColumn);
            return options.TaskColumn is null ? [TabularTask.FromTable(table, options.TargetName)] : TabularTask.SplitByTask(table, options.TargetName);
        }).ToArray();

    private static string[] Tables(string directory) =>
        Patterns.SelectMany(p => Directory.GetFiles(directory, p)).Order(StringComparer.Ordinal).ToArray();
}
