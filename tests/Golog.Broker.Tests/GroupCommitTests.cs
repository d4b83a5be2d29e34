using Golog.Core;
using Golog.Storage;

namespace Golog.Broker.Tests;

/// <summary>Which waiters each sync acknowledges (<see cref="GroupCommit{TWaiter,TPosition}"/>), with a partition's log positions.</summary>
public sealed class GroupCommitTests
{
    // Segment is only carried through by GroupCommit, never dereferenced: positions are told apart by offset.
    private static LogPosition At(long nextOffset) => new(nextOffset, null!, nextOffset * 100);

    [Fact]
    public void One_sync_covers_every_waiter_written_before_it_started()
    {
        var commit = new GroupCommit<string, LogPosition>();
        commit.Appended("a");
        commit.Appended("b");
        Assert.Equal(["a", "b"], commit.Written(At(2)));
        commit.Appended("c");
        Assert.Equal(["c"], commit.Written(At(3)));

        Assert.True(commit.TryStartSync(out var target));
        Assert.Equal(3, target.NextOffset);
        Assert.False(commit.TryStartSync(out _)); // one sync at a time
        var (durable, position) = commit.SyncCompleted();
        Assert.Equal(["a", "b", "c"], durable);
        Assert.Equal(At(3), position);
        Assert.Equal(0, commit.Waiting);
        Assert.False(commit.TryStartSync(out _)); // nothing left to sync
    }

    [Fact]
    public void Writes_that_arrive_during_a_sync_are_acknowledged_by_the_next_sync_not_this_one()
    {
        var commit = new GroupCommit<string, LogPosition>();
        commit.Appended("first");
        commit.Written(At(1));
        Assert.True(commit.TryStartSync(out _));

        commit.Appended("during-1");
        commit.Appended("during-2");
        Assert.True(commit.HasUnwritten);
        commit.Written(At(3));
        Assert.False(commit.TryStartSync(out _));
        Assert.Equal(3, commit.Waiting);

        var (firstDurable, firstPosition) = commit.SyncCompleted();
        Assert.Equal(["first"], firstDurable);
        Assert.Equal(1, firstPosition.NextOffset); // the in-flight sync vouches only for what was written before it

        Assert.True(commit.TryStartSync(out var next));
        Assert.Equal(3, next.NextOffset);
        var (secondDurable, secondPosition) = commit.SyncCompleted();
        Assert.Equal(["during-1", "during-2"], secondDurable);
        Assert.Equal(3, secondPosition.NextOffset);
    }

    [Fact]
    public void Appended_but_unwritten_waiters_do_not_ride_on_a_sync()
    {
        var commit = new GroupCommit<string, LogPosition>();
        commit.Appended("written");
        commit.Written(At(1));
        commit.Appended("not-yet-written");
        Assert.True(commit.TryStartSync(out _));
        Assert.Equal(["written"], commit.SyncCompleted().Durable);
        Assert.True(commit.HasUnwritten);
        Assert.False(commit.TryStartSync(out _)); // must be written first
    }

    [Fact]
    public void Written_without_awaiting_a_sync_hands_the_waiters_back_at_once()
    {
        var commit = new GroupCommit<string, LogPosition>();
        commit.Appended("a");
        Assert.Equal(["a"], commit.Written(At(1), awaitSync: false));
        Assert.Equal(0, commit.Waiting);
        Assert.False(commit.TryStartSync(out _));
    }

    [Fact]
    public void TakeAll_returns_every_waiter_oldest_first_and_ForgetSync_allows_a_new_sync()
    {
        var commit = new GroupCommit<string, LogPosition>();
        commit.Appended("syncing");
        commit.Written(At(1));
        commit.TryStartSync(out _);
        commit.Appended("written");
        commit.Written(At(2));
        commit.Appended("unwritten");

        Assert.Equal(["syncing", "written", "unwritten"], commit.TakeAll());
        Assert.Equal(0, commit.Waiting);
        Assert.True(commit.SyncInFlight);
        commit.ForgetSync();
        Assert.False(commit.SyncInFlight);

        commit.Appended("later");
        commit.Written(At(3));
        Assert.True(commit.TryStartSync(out _));
        Assert.Equal(["later"], commit.SyncCompleted().Durable);
    }
}
