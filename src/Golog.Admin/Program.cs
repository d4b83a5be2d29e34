using Golog.Admin;
using Golog.Client;

// Exit codes: 0 done, 1 bad usage or a request the broker refused, 2 broker not reachable. Never a stack trace.
var commandLine = CommandLineArgs.Parse(args, AdminCommand.Parse);
if (commandLine.Error is { } usageError) { Console.Error.WriteLine($"error: {usageError}"); Console.Error.WriteLine(AdminCommand.Usage); return 1; }
if (commandLine.Options is not { } command) { Console.WriteLine(AdminCommand.Usage); return 0; }

try
{
    await using var client = await GologClient.ConnectAsync(command.Broker);
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
    switch (command)
    {
        case AdminCommand.DescribeGroup d:
            GroupTables.WriteDescription(Console.Out, await client.DescribeGroupAsync(d.Group, timeout.Token));
            break;
        case AdminCommand.CreateTopic t:
            await client.CreateTopicAsync(t.Topic, t.Partitions, timeout.Token);
            Console.WriteLine($"created topic {t.Topic} with {t.Partitions} partitions");
            break;
        default:
            GroupTables.WriteList(Console.Out, await client.ListGroupsAsync(timeout.Token));
            break;
    }
    return 0;
}
catch (BrokerUnavailableException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
catch (GologException e)
{
    Console.Error.WriteLine($"error: {e.Message} ({e.Code})");
    return 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("error: the broker did not answer within 30 s");
    return 2;
}
