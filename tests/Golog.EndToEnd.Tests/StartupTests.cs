using System.Text.Json;
using System.Text.RegularExpressions;
using Golog.Broker;
using Golog.Client;

namespace Golog.EndToEnd.Tests;

/// <summary>The broker process at start: the ports file it writes once listening, and a configuration it refuses.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task The_ports_file_names_the_address_and_port_the_broker_listens_on()
    {
        using var storage = new TempStorage();
        await using var broker = await BrokerProcess.StartAsync(storage.Path);

        var json = PortsFile.Read(broker.PortsFilePath)["json"];
        Assert.Equal("127.0.0.1", json.Address.ToString());
        Assert.True(await broker.LogShowsAsync($@"listening on localhost:{json.Port} \(json\)", TimeSpan.FromSeconds(10)), broker.Log);
        await using var client = await GologClient.ConnectAsync(json.Address.ToString(), json.Port);
        await client.CreateTopicAsync("reachable", 1);
    }

    [Fact]
    public async Task With_the_json_log_format_every_line_is_a_compact_json_event_a_log_shipper_can_index()
    {
        using var storage = new TempStorage();
        await using (var broker = await BrokerProcess.StartAsync(storage.Path, "--set", "golog.log-format=json"))
        {
            await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
            await client.CreateTopicAsync("shipped", 1);
            Assert.Equal(0, await broker.StopAsync());

            var events = broker.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
            Assert.All(events, e => Assert.True(e.TryGetProperty("@t", out _) && e.TryGetProperty("@mt", out _), e.ToString()));
            // the structured properties travel as fields, not only inside the rendered text
            var listening = events.Single(e => e.GetProperty("@mt").GetString()!.Contains("listening on") && e.GetProperty("Door").GetString() == "json");
            Assert.Equal(broker.Port, listening.GetProperty("Port").GetInt32());
        }
    }

    [Fact]
    public async Task A_log_format_other_than_text_or_json_stops_the_broker_saying_which_are_allowed()
    {
        using var storage = new TempStorage();
        var (exitCode, stdout, stderr) = await DotnetProgram.RunAsync("golog-broker",
            ["--port", "0", "--kafka-port", "0", "--http-port", "0", "--storage", Path.Combine(storage.Path, "data"), "--set", "golog.log-format=xml"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("golog.log-format must be \"text\" or \"json\", got \"xml\"", stdout + stderr);
        Assert.DoesNotMatch(new Regex(@"^\s+at ", RegexOptions.Multiline), stdout + stderr);
    }

    [Fact]
    public async Task A_typo_in_a_setting_stops_the_broker_naming_the_key_it_meant_without_a_stack_trace()
    {
        using var storage = new TempStorage();
        var portsFile = Path.Combine(storage.Path, "ports.json");
        var (exitCode, stdout, stderr) = await DotnetProgram.RunAsync("golog-broker",
            ["--port", "0", "--kafka-port", "0", "--http-port", "0", "--storage", Path.Combine(storage.Path, "data"), "--ports-file", portsFile, "--set", "golog.segmnt.bytes=1MiB"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("unknown setting golog.segmnt.bytes (did you mean golog.segment.bytes?)", stderr);
        Assert.DoesNotMatch(new Regex(@"^\s+at ", RegexOptions.Multiline), stdout + stderr);
        Assert.False(File.Exists(portsFile));
    }

    [Fact]
    public async Task A_host_name_that_does_not_resolve_stops_the_broker_with_the_reason_instead_of_hanging()
    {
        using var storage = new TempStorage();
        var (exitCode, stdout, stderr) = await DotnetProgram.RunAsync("golog-broker",
            ["--host", "no-such-host.invalid", "--port", "0", "--kafka-port", "0", "--http-port", "0", "--storage", Path.Combine(storage.Path, "data")], timeout: TimeSpan.FromSeconds(30));

        Assert.Equal(1, exitCode);
        Assert.Contains("cannot listen on no-such-host.invalid:0", stdout + stderr);
        Assert.DoesNotMatch(new Regex(@"^\s+at ", RegexOptions.Multiline), stdout + stderr);
    }
}
