using MetaCluster.Coordinator.DataPlane;

namespace MetaCluster.Tests.DataPlane;

public sealed class AssignmentSecretsTests
{
    [Fact]
    public void ASecretIsLiveForItsRunAloneWhileItsStepIsOneOfTheTwoLastAssignedAndNeverAfterTheRun()
    {
        var secrets = new AssignmentSecrets();
        var step3 = secrets.Issue("run", 3);
        var other = secrets.Issue("other", 3);
        Assert.Equal(AssignmentSecrets.Bytes, step3.Length);
        Assert.True(secrets.IsLive("run", step3));
        Assert.False(secrets.IsLive("run", other));
        Assert.False(secrets.IsLive("other", step3));
        Assert.False(secrets.IsLive("run", []));
        Assert.False(secrets.IsLive("run", step3.AsSpan(0, 8)));

        // A validation round (a step number of its own) between two assignments of step 3 keeps both.
        var validation = secrets.Issue("run", 1003);
        var retry = secrets.Issue("run", 3);
        Assert.True(secrets.IsLive("run", step3) && secrets.IsLive("run", retry) && secrets.IsLive("run", validation));

        // Step 4: step 3 is still the one before it, the validation round's secrets go.
        var step4 = secrets.Issue("run", 4);
        Assert.True(secrets.IsLive("run", step3) && secrets.IsLive("run", step4));
        Assert.False(secrets.IsLive("run", validation));
        secrets.Issue("run", 5);
        Assert.False(secrets.IsLive("run", step3));
        Assert.True(secrets.IsLive("run", step4));

        secrets.Forget("run");
        Assert.False(secrets.IsLive("run", step4));
        Assert.True(secrets.IsLive("other", other));
        Assert.Equal(1, secrets.Runs);
    }
}
