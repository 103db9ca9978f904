"""The allowance of socket events per connection (a token bucket), with explicit times."""

from __future__ import annotations

from facilitation.realtime.flood import TokenBucket


def test_a_full_allowance_lets_a_burst_through_and_refuses_the_next_event():
    bucket = TokenBucket.full(rate=20, burst=40, now=100.0)
    assert all(bucket.take(100.0) for _ in range(40))
    assert bucket.take(100.0) is False


def test_the_allowance_refills_at_the_rate_and_never_beyond_the_burst():
    bucket = TokenBucket.full(rate=20, burst=40, now=0.0)
    for _ in range(40):
        bucket.take(0.0)
    # Half a second later: 10 more events.
    assert sum(bucket.take(0.5) for _ in range(15)) == 10
    # An hour of quiet gives back the burst, not 72,000 events.
    assert sum(bucket.take(3600.0) for _ in range(100)) == 40


def test_a_steady_sender_within_the_rate_is_never_refused():
    bucket = TokenBucket.full(rate=20, burst=40, now=0.0)
    assert all(bucket.take(n / 15) for n in range(15 * 60))  # 15 events a second for a minute


def test_refusals_in_a_row_count_as_flooding_and_a_quiet_pause_ends_it():
    bucket = TokenBucket.full(rate=20, burst=40, now=0.0)
    for _ in range(40):
        bucket.take(0.0)
    assert bucket.flooding_for(0.0) == 0.0
    # A client sending 100 events a second: refused again and again for 6 seconds.
    t = 0.0
    while t < 6.0:
        bucket.take(t)
        t += 0.01
    assert 5.9 < bucket.flooding_for(t) < 6.1
    # It stops for longer than the quiet gap: the next refusal starts a new run.
    later = t + TokenBucket.QUIET_GAP + 1
    assert bucket.flooding_for(later) == 0.0
    for _ in range(41):
        bucket.take(later)
    assert bucket.flooding_for(later) == 0.0 and bucket.take(later) is False


def test_a_sender_steadily_over_the_rate_is_refused_now_and_then_and_counts_as_flooding():
    bucket = TokenBucket.full(rate=20, burst=40, now=0.0)
    # 30 a second for 15 seconds: the burst lasts 4 seconds, then about one event in three is refused.
    refused = [not bucket.take(n / 30) for n in range(30 * 15)]
    assert not any(refused[: 30 * 3])
    assert 100 <= sum(refused) <= 120
    assert bucket.flooding_for(15.0) > 10.0
