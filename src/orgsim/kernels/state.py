"""The kernels' data layout: states, post kinds, state arrays, post records and output counters.

This module imports no numba: the runners, the reference model, metrics and the
visualization read these names without loading the kernels.
"""

from __future__ import annotations

from collections import namedtuple
from enum import IntEnum

import numpy as np

# Person states
UNAWARE, AWARE, MEMBER, LEFT = 0, 1, 2, 3
# Post kinds
UPDATE, WORK, QUESTION, ANSWER, IDEA, ABUSE, LEADER = 0, 1, 2, 3, 4, 5, 6
# Registration rules (registration.rule: esn, bass, threshold)
RULE_ESN, RULE_BASS, RULE_THRESHOLD = 0, 1, 2
RULES = {"esn": RULE_ESN, "bass": RULE_BASS, "threshold": RULE_THRESHOLD}

People = namedtuple(
    "People",
    [
        "level", "department", "manager", "is_external", "is_senior", "is_manager", "is_bad",  # structure
        "trust", "trust0", "time", "affinity", "confidence", "knowledge", "n_known",  # attributes
        "state", "registered_day", "engaged_day", "last_visit", "seen", "last_contrib", "novelty", "habit",  # adoption
        "usefulness", "feedback", "n_posts", "n_replies", "restricted", "last_liked",  # behaviour state
        "contacts", "contact_w",  # platform ties: (n, slots) ids (-1 empty) and strengths
        "n_active_ties", "n_reg_ties", "phi", "kmin",  # neighbourhood counters, thresholds
        "order", "pending", "tie_mark",  # scratch (preallocated once)
    ],
)
Network = namedtuple("Network", ["indptr", "indices", "formal", "heads", "complete"])
# A post is one record, so reading a sampled post from a large feed touches one cache line; it carries its
# author's department and seniority (fixed attributes) for the same reason. ``ref``: the question of a
# question or answer; for an idea, 1 once adopted.
POST = np.dtype([("author", np.int32), ("day", np.int32), ("score", np.int32), ("department", np.int32),
                 ("ref", np.int64), ("topic", np.int16), ("kind", np.int8), ("alive", np.bool_),
                 ("senior", np.bool_)], align=True)
# Posts: a ring buffer of POST records; the total ever posted; where each day's posts begin; and, per slot
# of the ring, the last feed sample that drew it (``drawn``, counted in ``samples``), so none is drawn twice
Posts = namedtuple("Posts", ["ring", "total", "day_start", "drawn", "samples"])
# Questions: a ring buffer pool; ``post_index`` lists the global post index of every question posted on the
# platform, in order (``n_posted`` of them), so readers scan new questions without scanning all new posts.
Questions = namedtuple("Questions", ["asker", "topic", "day", "holder", "via", "posted", "open", "total",
                                     "post_index", "n_posted"])
IdeaQueue = namedtuple("IdeaQueue", ["day", "head", "tail", "budget"])


class Out(IntEnum):
    """The daily output counters, one row of ``out`` per day: ``out[Out.new_posts] += 1``.

    Flows are ``new_``, stocks ``n_``; ``sum_`` are totals that :mod:`orgsim.metrics` divides into means.
    Each is defined in docs/outputs.md.
    """

    n_aware = 0
    n_registered = 1
    n_members = 2
    n_left = 3
    n_active_7d = 4
    n_contributors_30d = 5
    new_posts = 6
    new_replies = 7
    new_endorsements = 8
    new_abuse = 9
    abuse_removed = 10
    sum_trust = 11
    n_interactions = 12
    n_cross_department = 13
    n_cross_level = 14
    questions_asked = 15
    questions_asked_platform = 16
    questions_answered = 17
    questions_answered_platform = 18
    sum_answer_days = 19
    questions_dropped = 20
    ideas_posted = 21
    ideas_adopted = 22
    sum_idea_latency = 23
    sum_known = 24
    n_external_active = 25
    leader_posts = 26
    new_platform_ties = 27
    new_cross_department_ties = 28
    # the Microsoft 365 usage reports' daily counts (docs/outputs.md, "Usage-report observables")
    n_readers = 29
    n_posters = 30
    n_likers = 31
    new_reads = 32


COUNTERS = tuple(Out.__members__)  # the counters' names, in the order of ``out``'s columns
