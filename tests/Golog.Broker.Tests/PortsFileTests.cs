using System.Net;

namespace Golog.Broker.Tests;

/// <summary>golog.ports-file: written whole, once every door is bound, never showing a previous run's ports.</summary>
public sealed class PortsFileTests : IDisposable
{
    private readonly string _dir = TempDir.Create();
    private string PathIn(string name) => Path.Combine(_dir, name);

    private static TaskCompletionSource<IPEndPoint> Door() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Fact]
    public void Names_each_door_with_its_bound_address_and_port()
    {
        var path = PathIn("ports.json");
        PortsFile.Write(path, new Dictionary<string, IPEndPoint> { ["json"] = new(IPAddress.Loopback, 40123) });
        Assert.Equal("""{"json":{"host":"127.0.0.1","port":40123}}""", File.ReadAllText(path));

        var doors = new Dictionary<string, IPEndPoint> { ["json"] = new(IPAddress.Loopback, 1), ["kafka"] = new(IPAddress.IPv6Loopback, 2) };
        PortsFile.Write(path, doors);
        Assert.Equal(doors, PortsFile.Read(path));
    }

    [Fact]
    public void Replaces_the_file_through_a_temp_file_it_leaves_no_trace_of()
    {
        var path = PathIn("ports.json");
        File.WriteAllText(path, "old");
        PortsFile.Write(path, new Dictionary<string, IPEndPoint> { ["json"] = new(IPAddress.Loopback, 7) });
        Assert.Equal(7, PortsFile.Read(path)["json"].Port);
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task Is_written_only_once_every_door_is_bound_and_a_previous_runs_file_is_gone_at_once()
    {
        var path = PathIn("ports.json");
        File.WriteAllText(path, """{"json":{"host":"127.0.0.1","port":1}}""");
        var json = Door();
        var kafka = Door();

        var written = PortsFile.WriteWhenBoundAsync(path, new Dictionary<string, Task<IPEndPoint>> { ["json"] = json.Task, ["kafka"] = kafka.Task });
        Assert.False(File.Exists(path));
        json.SetResult(new IPEndPoint(IPAddress.Loopback, 9092));
        await Task.Delay(50);
        Assert.False(File.Exists(path));
        kafka.SetResult(new IPEndPoint(IPAddress.Loopback, 9093));
        await written.WaitAsync(TimeSpan.FromSeconds(10));

        var ports = PortsFile.Read(path);
        Assert.Equal((9092, 9093), (ports["json"].Port, ports["kafka"].Port));
    }

    [Fact]
    public async Task A_door_that_cannot_bind_fails_the_start_and_no_file_is_written()
    {
        var path = PathIn("ports.json");
        var json = Door();
        var written = PortsFile.WriteWhenBoundAsync(path, new Dictionary<string, Task<IPEndPoint>> { ["json"] = json.Task });
        json.SetException(new IOException("cannot listen on localhost:9092 (json): address in use"));
        await Assert.ThrowsAsync<IOException>(() => written);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_file_that_cannot_be_written_is_an_IOException_naming_it_and_the_setting()
    {
        var notADirectory = PathIn("plain-file");
        File.WriteAllText(notADirectory, "");
        var path = Path.Combine(notADirectory, "ports.json");
        var error = Assert.Throws<IOException>(() => PortsFile.Write(path, new Dictionary<string, IPEndPoint> { ["json"] = new(IPAddress.Loopback, 1) }));
        Assert.StartsWith($"cannot write the ports file {path} (golog.ports-file)", error.Message);
    }

    public void Dispose() => TempDir.Delete(_dir);
}
