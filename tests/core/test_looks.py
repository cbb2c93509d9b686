"""core/looks.py: looks at a run in progress are offered only while they cost at most their share of it."""

from __future__ import annotations

from poisoncourse.core import looks


def test_looks_are_offered_while_they_cost_at_most_their_share_of_the_run(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(looks.time, "perf_counter", lambda: now[0])
    calls = []

    def progress(done, total, partial=None):
        calls.append((done, total, partial is not None))
        if partial is not None:
            partial()

    def look(epoch):
        now[0] += 1.0  # a look costs a second
        return epoch

    report = looks.Looks(progress, look, share=1 / 3, offset=10, total=40)
    for epoch in range(1, 7):
        now[0] += 1.0  # an epoch costs a second
        report(epoch, 30)
    # Before each epoch's report: looks so far against a third of the time since the start. Epoch 1: 0 s of 1 s
    # (look); 2: 1 of 3 (look); 3: 2 of 5 (no); 4: 2 of 6 (look); 5: 3 of 8 (no); 6: 3 of 9 (look).
    assert [c[2] for c in calls] == [True, True, False, True, False, True]
    assert [c[:2] for c in calls] == [(10 + e, 40) for e in range(1, 7)]
