namespace MetaCluster.Learning.Images;

/// <summary>How an <see cref="ImageTasks"/> family builds episodes and its model.</summary>
/// <param name="Ways">Outputs of the model <see cref="ImageTasks.CreateModel"/> builds: the N of the N-way episodes it will see.</param>
/// <param name="Rotations">Adds each class turned by 90°, 180° and 270° as three new classes (Santoro et al.; Vinyals et al.).</param>
/// <param name="HiddenChannels">Filters of every CNN-4 block (64 for Omniglot and mini-ImageNet set-ups, 32 in some).</param>
public sealed record ImageTaskOptions(int Ways = 5, bool Rotations = false, int HiddenChannels = 64);
