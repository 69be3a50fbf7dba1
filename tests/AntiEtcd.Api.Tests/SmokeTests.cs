namespace AntiEtcd.Api.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void KeyValueDefaultsAreEmpty() => Assert.True(new AntiEtcd.Api.KeyValue().Key.IsEmpty);
}
