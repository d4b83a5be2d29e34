using System.Collections.Concurrent;
using Akka.Actor;
using Golog.Core;

namespace Golog.Broker.Doors.Http;

/// <summary>
/// How HTTP handlers (async code, not actors) ask the core: a command goes to <see cref="BrokerCore.Send"/> with a
/// correlation of this asker's own and one reply-to actor for all of them; the reply completes the handler's task.
/// </summary>
public sealed class CoreAsker
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<ICoreResult>> _waiting = new();
    private readonly BrokerCore _core;
    private readonly IActorRef _replies;
    private long _correlation;

    public CoreAsker(BrokerCore core, ActorSystem system)
    {
        _core = core;
        _replies = system.ActorOf(Props.Create(() => new ReplyActor(this)), "door-http-replies");
    }

    /// <summary>The core's answer; a TimeoutException if none comes within 30 s (the HTTP door answers 503).</summary>
    public async Task<ICoreResult> AskAsync(ICoreCommand command)
    {
        long id = Interlocked.Increment(ref _correlation);
        var reply = new TaskCompletionSource<ICoreResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = reply;
        _core.Send(id, command, _replies);
        try { return await reply.Task.WaitAsync(Timeout); }
        finally { _waiting.TryRemove(id, out _); }
    }

    private void Complete(CoreReply reply)
    {
        if (_waiting.TryGetValue(reply.Correlation, out var waiting)) waiting.TrySetResult(reply.Result);
    }

    private sealed class ReplyActor : ReceiveActor
    {
        public ReplyActor(CoreAsker asker) => Receive<CoreReply>(asker.Complete);
    }
}
