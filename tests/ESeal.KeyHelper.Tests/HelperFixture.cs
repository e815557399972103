using ESeal.TestPki;

namespace ESeal.KeyHelper.Tests;

/// <summary>One PKI, one SoftHSM2 token store and one helper process per test run (temp dir).</summary>
public sealed class HelperFixture : IAsyncLifetime
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "eseal-keyhelper-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public TestPkiSummary Pki { get; private set; } = null!;

    public HelperProcess Helper { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Pki = TestPkiSetup.Init(Directory);
        Helper = new HelperProcess(Pki.SoftHsm2Conf, Path.Combine(Directory, "state"));
        await Helper.StartAsync();
        Client = Helper.CreateClient();
    }

    /// <summary>A real restart: kill the process, start a new one on the same port and state directory.</summary>
    public async Task RestartHelperAsync()
    {
        Helper.Stop();
        await Helper.StartAsync();
    }

    public Task DisposeAsync()
    {
        Client.Dispose();
        Helper.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp dir is harmless.
        }

        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class HelperCollection : ICollectionFixture<HelperFixture>
{
    public const string Name = "key helper on SoftHSM2";
}
