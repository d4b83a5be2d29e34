using Golog.Broker.Doors;

namespace Golog.Broker.Tests;

/// <summary>What a connection may owe its client before the broker stops taking its requests.</summary>
public class ConnectionBudgetTests
{
    [Fact]
    public void Too_many_unanswered_requests_spend_the_budget()
    {
        var budget = new ConnectionBudget(maxInFlight: 4, maxPendingReplyBytes: 1000);
        Assert.False(budget.IsSpent(pending: 3, unsentBytes: 0));
        Assert.True(budget.IsSpent(pending: 4, unsentBytes: 0));
    }

    [Fact]
    public void Fetch_reservations_and_unsent_replies_add_up_against_the_byte_limit()
    {
        var budget = new ConnectionBudget(maxInFlight: 100, maxPendingReplyBytes: 1000);
        budget.Reserve(seq: 1, bytes: 600);
        Assert.False(budget.IsSpent(pending: 1, unsentBytes: 399));
        Assert.True(budget.IsSpent(pending: 1, unsentBytes: 400));
        budget.Reserve(seq: 2, bytes: 600);
        Assert.True(budget.IsSpent(pending: 2, unsentBytes: 0));
    }

    [Fact]
    public void A_released_reservation_frees_its_bytes_once()
    {
        var budget = new ConnectionBudget(maxInFlight: 100, maxPendingReplyBytes: 1000);
        budget.Reserve(seq: 1, bytes: 700);
        budget.Reserve(seq: 2, bytes: 300);
        budget.Release(1);
        budget.Release(1);
        budget.Release(99); // a request that reserved nothing (a produce)
        Assert.Equal(300, budget.ReservedBytes);
    }

    [Fact]
    public void Reading_resumes_only_when_half_of_both_limits_is_free()
    {
        var budget = new ConnectionBudget(maxInFlight: 10, maxPendingReplyBytes: 1000);
        Assert.False(budget.IsHalfFree(pending: 6, unsentBytes: 0));
        Assert.False(budget.IsHalfFree(pending: 5, unsentBytes: 501));
        Assert.True(budget.IsHalfFree(pending: 5, unsentBytes: 500));
    }
}
