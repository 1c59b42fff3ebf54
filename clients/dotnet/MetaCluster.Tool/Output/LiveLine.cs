namespace MetaCluster.Tool.Output;

/// <summary>
/// Progress for people: on a terminal one line rewritten in place; redirected to a file or a pipe,
/// one line per update, so logs keep every step shown.
/// </summary>
public sealed class LiveLine(TextWriter output, bool terminal)
{
    private int shown;

    /// <summary>A line for <paramref name="output"/> that is the console on a terminal rewrites in place.</summary>
    public static LiveLine For(TextWriter output) => new(output, ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);

    /// <summary>Shows <paramref name="line"/>.</summary>
    public void Show(string line)
    {
        if (!terminal)
        {
            output.WriteLine(line);
            return;
        }
        output.Write("\r" + line.PadRight(shown));
        shown = line.Length;
    }

    /// <summary>Ends the live line, so what follows starts on a line of its own.</summary>
    public void Finish()
    {
        if (terminal && shown > 0) output.WriteLine();
        shown = 0;
    }
}
