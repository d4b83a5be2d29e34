using Golog.Admin;
using Golog.Cli;

// Exit codes (Golog.Cli.ExitCodes): 0 done, 1 bad usage or a request the broker refused, 2 broker not reachable. Never a stack trace.
return await ConsoleCommand.InvokeAsync(AdminCommands.CreateRoot(), args);
