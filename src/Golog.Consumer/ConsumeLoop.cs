using System.Diagnostics;
using Golog.Cli;
using Golog.Client;
using Golog.Protocol;

namespace Golog.Consumer;

/// <summary>
/// The consumer proper: long-poll fetches from one partition at its leader, print each record as the seed did
/// ("offset N: MESSAGE"), commit the group's offset at its coordinator after every batch (so a crash re-delivers
/// rather than loses), and ride out broker restarts and failovers by reconnecting, to the new leader in a cluster,
/// and resuming at the next offset it has not printed.
/// </summary>
internal sealed class ConsumeLoop(ConsumerOptions options, TextWriter output, TextWriter errors, CancellationToken stop) : IConsumeLoop
{
    private readonly string _topic = options.Topic ?? throw new ArgumentException("a topic is required", nameof(options));
    private readonly int _partition = options.Partition ?? 0;
    private readonly string _group = options.Group ?? ConsumerOptions.DefaultGroup;
    private readonly FetchLimits _fetch = new(options.PollInterval);
    private readonly StderrWriter _stderr = new(output, errors);

    private ClusterClient? _cluster;
    private GroupCoordinator? _coordinator;
    private long _offset;        // next offset to read
    private long? _committed;    // what the broker holds for the group, as far as we know
    private long _printed;
    private bool _idleNoticeShown;
    private bool _missingTopicNoticeShown;

    private enum Step { Continue, Reconnect, Stop, Done, NoSuchPartition }

    /// <summary>True once the first connection succeeded (a failure before that is "is the broker running?").</summary>
    public bool EverConnected { get; private set; }

    /// <summary>Runs until Ctrl-C/SIGTERM or --max-messages; returns the exit code.</summary>
    /// <exception cref="BrokerUnavailableException">The broker could not be reached at startup.</exception>
    public async Task<int> RunAsync()
    {
        _cluster = await ConsumerCluster.ConnectAsync(options.Broker, stop);
        _coordinator = _cluster.Coordinator(_group);
        EverConnected = true;
        await output.WriteLineAsync($"Connected to broker at {options.Broker}. Consuming topic {_topic} partition {_partition} as group {_group}");
        _offset = await StartingOffsetAsync();
        await output.FlushAsync();

        while (true)
        {
            switch (await PollOnceAsync())
            {
                case Step.Reconnect:
                    if (!await ReconnectAsync()) return await StoppedWhileUnavailableAsync();
                    break;
                case Step.NoSuchPartition:
                    return ExitCodes.UsageOrRefused;
                case Step.Stop when _missingTopicNoticeShown:
                    // Nothing was read, and a partition that does not exist takes no commit: nothing failed.
                    await output.WriteLineAsync($"stopped while waiting for topic {_topic} partition {_partition}; nothing to commit");
                    await output.FlushAsync();
                    return ExitCodes.Ok;
                case Step.Stop:
                case Step.Done:
                    return await FinalCommitAsync();
            }
        }
    }

    private async Task<long> StartingOffsetAsync()
    {
        _committed = await CommittedAsync(stop);
        if (_committed is { } committed)
        {
            await output.WriteLineAsync($"Starting at offset {committed} (committed offset of group {_group})");
            return committed;
        }
        var bounds = await PartitionBoundsAsync(stop);
        long start = options.StartWithoutCommit(bounds);
        await output.WriteLineAsync(options.FromEnd
            ? $"No committed offset for group {_group}; starting at the end, offset {start}"
            : $"No committed offset for group {_group}; starting from the beginning, offset {start}");
        return start;
    }

    private async Task<Step> PollOnceAsync()
    {
        if (stop.IsCancellationRequested) return Step.Stop;
        long started = Stopwatch.GetTimestamp();
        FetchReply batch;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop))
        {
            timeout.CancelAfter(_fetch.ReplyTimeout);
            try
            {
                batch = await Cluster.FetchReplyAsync(_topic, _partition, _offset, FetchLimits.MaxMessages, maxWaitMs: _fetch.MaxWaitMs,
                    cancellationToken: timeout.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return Step.Stop;
            }
            catch (OperationCanceledException)
            {
                await _stderr.WriteLineAsync($"warning: broker did not answer a fetch within {(int)_fetch.ReplyTimeout.TotalSeconds}s");
                return Step.Reconnect;
            }
            catch (Exception e) when (ConsumerCluster.IsTransient(e))
            {
                return Step.Reconnect;
            }
            catch (GologException e) when (e.Code == ErrorCode.OffsetOutOfRange)
            {
                await ResetOffsetAsync(e);
                return Step.Continue;
            }
            catch (GologException e) when (e.Code == ErrorCode.UnknownTopicOrPartition)
            {
                if (await PartitionCountAsync() is { } count)
                {
                    // The topic exists: a partition past its last one is a typo, not something to wait for.
                    await _stderr.WriteLineAsync($"error: topic {_topic} has {count} partition(s), numbered 0 to {count - 1}; there is no partition {_partition}");
                    return Step.NoSuchPartition;
                }
                // Like the seed, a consumer may start before anything was produced; wait for the topic to appear.
                if (!_missingTopicNoticeShown) await _stderr.WriteLineAsync($"topic {_topic} partition {_partition} does not exist yet; waiting for it");
                _missingTopicNoticeShown = true;
                await DelayAsync(options.PollInterval);
                return Step.Continue;
            }
        }
        _missingTopicNoticeShown = false;

        RecordLines.Printed printed;
        using (batch) printed = RecordLines.Print(batch, _offset, options.MaxMessages - _printed, "", options, output);
        if (printed.Seen == 0)
        {
            // Once per idle period: the seed printed this on every empty poll, which buries the output.
            if (!_idleNoticeShown) { await output.WriteLineAsync("[No new messages]"); await output.FlushAsync(); }
            _idleNoticeShown = true;
            // A broker that answers empty fetches at once (no long poll) must not be polled in a busy loop.
            var rest = options.PollInterval - Stopwatch.GetElapsedTime(started);
            if (rest > TimeSpan.Zero) await DelayAsync(rest);
            return Step.Continue;
        }

        _idleNoticeShown = false;
        _offset = printed.NextOffset;
        _printed += printed.Lines;
        if (options.MaxMessages is { } max && _printed >= max)
        {
            await output.FlushAsync();
            return Step.Done; // the final commit follows
        }
        await output.FlushAsync();
        return await TryCommitAsync() ? Step.Continue : Step.Reconnect;
    }

    /// <summary>Commits <see cref="_offset"/>. Not tied to Ctrl-C: a processed batch should be committed even while stopping.</summary>
    private async Task<bool> TryCommitAsync()
    {
        using var timeout = new CancellationTokenSource(FetchLimits.ReplyGrace);
        try
        {
            await Coordinator.CommitAsync(_topic, _partition, _offset, null, timeout.Token);
            _committed = _offset;
            return true;
        }
        catch (Exception e) when (ConsumerCluster.IsTransient(e) || e is OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// offset_out_of_range: below the log start means retention deleted what we had not read yet; above the high
    /// watermark means the log is shorter than we thought (e.g. recreated). Either way, move to the nearest valid offset.
    /// </summary>
    private async Task ResetOffsetAsync(GologException e)
    {
        long? start = e.LogStartOffset, end = e.HighWatermark;
        if (start is null && end is null)
        {
            try
            {
                var bounds = await PartitionBoundsAsync(stop);
                start = bounds?.LogStartOffset;
                end = bounds?.HighWatermark;
            }
            catch (Exception ex) when (ConsumerCluster.IsTransient(ex) || ex is OperationCanceledException or GologException) { }
        }

        if (start is { } s && _offset < s)
        {
            await _stderr.WriteLineAsync($"warning: offset {_offset} is no longer in the log (deleted by retention); skipping to log start offset {s}");
            _offset = s;
        }
        else if (end is { } hw && _offset > hw)
        {
            await _stderr.WriteLineAsync($"warning: offset {_offset} is past the end of the log (high watermark {hw}); resetting to {hw}");
            _offset = hw;
        }
        else
        {
            await _stderr.WriteLineAsync($"warning: {e.Message}");
            await DelayAsync(options.PollInterval); // nothing to correct: do not spin on the same error
        }
    }

    /// <summary>
    /// Waits with backoff until a node names the partition's leader again; false if stopped first. Resumes at the next
    /// offset not printed yet: nothing printed is printed again, and the leader (a new one holds every record below
    /// the old one's high watermark) has the rest.
    /// </summary>
    private async Task<bool> ReconnectAsync()
    {
        await _stderr.WriteLineAsync("broker unavailable, reconnecting...");
        return await Reconnect.WithBackoffAsync(async () =>
        {
            var leader = await Cluster.LeaderOfAsync(_topic, _partition, stop);
            _idleNoticeShown = false;
            await _stderr.WriteLineAsync($"reconnected to broker at {leader}; resuming at offset {_offset}");
        }, stop);
    }

    private async Task<int> FinalCommitAsync()
    {
        try
        {
            if (_committed != _offset)
            {
                // The abandoned long poll (if any) is answered first, so allow for it.
                using var timeout = new CancellationTokenSource(_fetch.ReplyTimeout);
                await Coordinator.CommitAsync(_topic, _partition, _offset, null, timeout.Token);
                _committed = _offset;
            }
            await output.WriteLineAsync($"committed offset {_offset} for group {_group}");
            await output.FlushAsync();
            return 0;
        }
        catch (Exception e) when (ConsumerCluster.IsTransient(e) || e is OperationCanceledException or GologException)
        {
            await _stderr.WriteLineAsync($"error: could not commit offset {_offset} for group {_group}: {e.Message}");
            return 2;
        }
    }

    private async Task<int> StoppedWhileUnavailableAsync()
    {
        if (_committed == _offset)
        {
            await output.WriteLineAsync($"committed offset {_offset} for group {_group}");
            await output.FlushAsync();
            return 0;
        }
        await _stderr.WriteLineAsync($"error: stopped while the broker was unavailable; offset {_offset} was not committed for group {_group}" +
            (_committed is { } c ? $" (it resumes at {c})" : ""));
        return 2;
    }

    /// <summary>The group's committed offset; null also when the topic does not exist yet (the seed let consumers start first).</summary>
    private async Task<long?> CommittedAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Coordinator.CommittedAsync(_topic, _partition, cancellationToken);
        }
        catch (GologException e) when (e.Code == ErrorCode.UnknownTopicOrPartition)
        {
            return null;
        }
    }

    /// <summary>How many partitions the topic has; null when it does not exist (yet), or when the broker cannot say now.</summary>
    private async Task<int?> PartitionCountAsync()
    {
        try
        {
            var topics = (await Cluster.MetadataAsync(_topic, stop)).Topics;
            return topics.FirstOrDefault(t => t.Name == _topic)?.Partitions.Count;
        }
        catch (Exception e) when (e is GologException or OperationCanceledException || Reconnect.IsBrokerUnavailable(e))
        {
            return null; // waiting, as for a missing topic, is the safe answer; the next poll asks again
        }
    }

    private async Task<PartitionMetadata?> PartitionBoundsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var topics = (await Cluster.MetadataAsync(_topic, cancellationToken)).Topics;
            return topics.FirstOrDefault(t => t.Name == _topic)?.Partitions.FirstOrDefault(p => p.Partition == _partition);
        }
        catch (GologException e) when (e.Code == ErrorCode.UnknownTopicOrPartition)
        {
            return null;
        }
    }

    private async Task DelayAsync(TimeSpan delay)
    {
        try { await Task.Delay(delay, stop); }
        catch (OperationCanceledException) { /* the loop sees the stop */ }
    }

    private ClusterClient Cluster => _cluster ?? throw new InvalidOperationException("not connected");
    private GroupCoordinator Coordinator => _coordinator ?? throw new InvalidOperationException("not connected");

    public async ValueTask DisposeAsync()
    {
        if (_coordinator is not null) await _coordinator.DisposeAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
    }
}
