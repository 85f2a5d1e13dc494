"""Signals as episodes: what a team reads instead of one sentence per point.

The rules report signals point by point (a point beyond the limits) or run by run (a long run,
a trend). Consecutive signals of one rule and one direction in one part are one episode: twelve
weekly points above the upper limit are "12 points above the upper limit, from ... to ...", not
twelve sentences. A signal that does not touch the one before it starts a new episode.
"""

from __future__ import annotations

import numpy as np


def group_episodes(
    seg: np.ndarray, rule: np.ndarray, direction: np.ndarray, first: np.ndarray, last: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The episode of each signal and the order of the signals within episodes.

    ``seg`` is the part segment of each signal, ``first`` and ``last`` the indices of the
    subgroups it covers (consecutive indices are consecutive points of one series). Returns
    ``(order, episode)``: the signals sorted by segment, rule, direction and start, and for
    each of them (in that order) the number of its episode, 0, 1, 2, ... Episodes are numbered
    in the order of their segment, then rule and direction, then start.
    """
    if seg.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    rule_text, direction_text = rule.astype(str), direction.astype(str)
    order = np.lexsort((first, direction_text, rule_text, seg))
    s, r, d, f, la = seg[order], rule_text[order], direction_text[order], first[order], last[order]
    # Within a kind of signal, an episode goes on while the next signal starts at or before the
    # point after the furthest one reached so far.
    same_kind = (s[1:] == s[:-1]) & (r[1:] == r[:-1]) & (d[1:] == d[:-1])
    kind_start = np.r_[True, ~same_kind]
    reach = _running_max_within(la, kind_start)
    touches = f[1:] <= reach[:-1] + 1
    new_episode = np.r_[True, ~(same_kind & touches)]
    return order, np.cumsum(new_episode) - 1


def _running_max_within(values: np.ndarray, group_start: np.ndarray) -> np.ndarray:
    """The running maximum of ``values``, restarted at every ``group_start``."""
    group = np.cumsum(group_start) - 1
    # Lift each group above every earlier one, so one running maximum does all groups at once.
    span = int(values.max() - values.min()) + 1
    lifted = (values - values.min()) + group * span
    return np.maximum.accumulate(lifted) - group * span + values.min()
