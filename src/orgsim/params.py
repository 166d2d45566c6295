"""The parameter table: every scenario field, its default, range and meaning.

This module is the single source of truth for parameters. A scenario file is
validated against :class:`Scenario`; unknown keys, wrong types and values out of
range are rejected (see :mod:`orgsim.scenario` for the error messages).

Units: time is in days; probabilities and rates are per day unless stated;
"share" fields are fractions in [0, 1]. Defaults marked *guess* are modelling
choices, calibrated so the shipped scenarios show the phenomena in
``docs/phenomena.md``; the others cite their source in ``docs/model.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, model_validator

from orgsim.fields import Strict, Text, Title, check_network
from orgsim.params_client import OrgChartFiles, client_shape


class Section(Strict):
    """Base for every scenario section: unknown keys are errors, values are checked, types strictly."""


class RunSettings(Section):
    """How long, how often and with which seed to run."""

    days: int = Field(365, ge=1, le=36500, description="simulated days")
    seed: int = Field(1, ge=0, le=2**63 - 1, description="master seed; replicate r uses SeedSequence(seed, spawn_key=(r,))")
    replicates: int = Field(1, ge=1, le=10000, description="independent replicates")


class Organization(Section):
    """The organization's shape and its social network."""

    n_employees: int = Field(1000, ge=2, le=10_000_000, description="employees (excluding external members)")
    span_of_control: int = Field(7, ge=2, le=50, description="reports per manager; 5-10 is typical (Urwick 1956)")
    n_departments: int = Field(8, ge=1, le=1000, description="departments = subtrees under the CEO's direct reports")
    network: Literal["org", "complete", "erdos_renyi", "watts_strogatz", "from_edgelist"] = Field(
        "org", description="social network kind; the classic kinds switch off hierarchy ties"
    )
    informal_degree_within: float = Field(6.0, ge=0, le=200, description="mean informal ties inside one's department (guess)")
    informal_degree_across: float = Field(0.6, ge=0, le=200, description="mean informal ties per person drawn between random pairs; pairs within one department are dropped, leaving this x (1 - sum of squared department shares) (guess; silos)")
    mean_degree: float = Field(8.0, gt=0, le=1000, description="erdos_renyi: mean degree z")
    ws_k: int = Field(4, ge=2, le=1000, description="watts_strogatz: ring neighbours (even)")
    ws_p: float = Field(0.1, ge=0, le=1, description="watts_strogatz: rewiring probability")
    edgelist: str | None = Field(
        None,
        description="from_edgelist: CSV path with columns source,target (0-based ids), relative to the scenario file",
    )
    n_external: int = Field(0, ge=0, le=1_000_000, description="partners/customers who can join when the platform opens to them")
    source: Literal["generated", "org_chart"] = Field("generated", description="generated, or org_chart: files")
    org_chart: OrgChartFiles | None = Field(None, description="org_chart: the client's files and their columns")

    _client_shape = model_validator(mode="before")(client_shape)

    @model_validator(mode="after")
    def _consistent(self) -> Organization:
        if self.network == "org" and self.n_departments >= self.n_employees:
            raise ValueError(
                f"n_departments ({self.n_departments}) must be smaller than n_employees ({self.n_employees}): "
                "each department needs a head below the CEO"
            )
        if self.network == "watts_strogatz" and (self.ws_k % 2 or self.ws_k >= self.n_employees):
            raise ValueError(f"ws_k ({self.ws_k}) must be even and smaller than n_employees ({self.n_employees})")
        if self.network == "from_edgelist" and not self.edgelist:
            raise ValueError("network 'from_edgelist' needs 'edgelist' (a CSV path)")
        if self.network == "from_edgelist" and not Path(self.edgelist).is_file():
            raise ValueError(
                f"edgelist {self.edgelist!r}: no such file (relative paths are read from the scenario's folder)"
            )
        check_network(self)
        return self


class Employees(Section):
    """Distributions of employee attributes at day 0."""

    trust_mean: float = Field(0.55, ge=0, le=1, description="mean trust in management (guess)")
    trust_sd: float = Field(0.15, ge=0, le=1, description="spread of trust in management")
    time_mean: float = Field(1.0, gt=0, le=10, description="mean available time, relative units (1 = a typical employee)")
    time_sd: float = Field(0.3, ge=0, le=10, description="spread of available time")
    senior_time_factor: float = Field(0.5, gt=0, le=2, description="available time of the top levels relative to others (seed 003)")
    affinity_mean: float = Field(0.6, ge=0, le=1, description="mean digital affinity of non-senior staff (guess)")
    affinity_sd: float = Field(0.25, ge=0, le=1, description="spread of digital affinity (normal, clipped to 0..1)")
    senior_affinity: float = Field(0.3, ge=0, le=1, description="digital affinity of senior managers: 'glorified e-mail' (seed 003)")
    senior_levels: int = Field(2, ge=0, le=20, description="levels from the top counted as senior (0: nobody, 1: the CEO, 2: the CEO and department heads)")
    confidence_sigma: float = Field(1.0, ge=0, le=5, description="lognormal spread of confidence to post: source of participation inequality")
    bad_actor_share: float = Field(0.0, ge=0, le=1, description="share of bad actors who post abuse (seed 000: 2%)")
    n_topics: int = Field(48, ge=2, le=63, description="knowledge topics, split evenly across departments")
    know_home: float = Field(0.5, ge=0, le=1, description="probability of knowing each topic of one's own department")
    know_other: float = Field(0.03, ge=0, le=1, description="probability of knowing each topic of other departments")


# Behaviour: the coefficients of the daily decisions, one class per submodel of docs/model.md 7. All are
# guesses, calibrated. A scenario file sets them flat under ``behaviour:``; the classes only group them here.


class WordOfMouthAndRegistration(Section):
    """Awareness and registration under the esn rule (docs/model.md 7.1)."""

    word_of_mouth: float = Field(0.04, ge=0, le=1, description="daily chance, per tie active on the platform this week, of being made aware: min(1, p x ties) (invitations)")
    registration_base: float = Field(-2.2, ge=-20, le=20, description="log-odds of registering per day when aware")
    registration_affinity: float = Field(2.0, ge=-20, le=20, description="weight of digital affinity on registering")
    registration_social: float = Field(2.0, ge=-20, le=20, description="weight of the share of registered ties")


class Visiting(Section):
    """Visiting, habit, usefulness and churn (docs/model.md 7.2, 7.3)."""

    visit_base: float = Field(-6.5, ge=-20, le=20, description="log-odds of visiting per day")
    visit_usefulness: float = Field(4.0, ge=-20, le=20, description="weight of perceived usefulness")
    visit_novelty: float = Field(3.5, ge=-20, le=20, description="weight of novelty (1 at registration, decaying)")
    visit_social: float = Field(1.5, ge=-20, le=20, description="weight of the share of one's ties active this week")
    visit_endorsement: float = Field(2.0, ge=-20, le=20, description="weight of management endorsement x trust, in visiting and in registering")
    visit_affinity: float = Field(3.0, ge=-20, le=20, description="weight of digital affinity")
    visit_habit: float = Field(1.5, ge=-20, le=20, description="weight of habit (moving average of visiting)")
    visit_time_cost: float = Field(1.2, ge=0, le=20, description="weight of the time cost of a visit")
    visit_time: float = Field(0.5, ge=0, le=10, description="time cost of a visit, relative to available time")
    novelty_decay: float = Field(0.93, ge=0, le=1, description="daily decay factor of novelty")
    habit_rate: float = Field(0.05, ge=0, le=1, description="rate at which habit follows visiting")
    usefulness_rate: float = Field(0.2, ge=0, le=1, description="rate at which usefulness follows the value read")
    initial_usefulness: float = Field(0.3, ge=0, le=1, description="expected usefulness at registration")
    churn_days: int = Field(45, ge=1, le=3650, description="days without a visit after which a member has left")


class Posting(Section):
    """The willingness to write, and feedback (docs/model.md 7.3 step 2, 7.4 feedback, 7.5)."""

    post_base: float = Field(-11.0, ge=-20, le=20, description="log-odds of posting on a visit")
    post_trust: float = Field(3.0, ge=-20, le=20, description="weight of trust (psychological safety) minus 0.5")
    post_confidence: float = Field(3.0, ge=-20, le=20, description="weight of log-confidence")
    post_feedback: float = Field(0.8, ge=-20, le=20, description="weight of recent feedback (replies, endorsements)")
    post_endorsement: float = Field(1.0, ge=-20, le=20, description="weight of management endorsement: 'allowed to'")
    post_monitoring: float = Field(2.5, ge=0, le=20, description="chilling effect of monitoring on posting")
    post_floor: float = Field(0.2, ge=0, le=1, description="least willingness applied to endorsing (a like is cheaper than a post)")
    help_ease: float = Field(3.0, ge=-20, le=20, description="log-odds bonus of replying, answering, asking on the platform or posting an idea over writing an update")
    work_post_prob: float = Field(0.1, ge=0, le=1, description="chance a manager's visit carries a team message, x email_replacement")
    confidence_gain: float = Field(0.03, ge=0, le=5, description="confidence growth per unit of feedback received")
    feedback_decay: float = Field(0.9, ge=0, le=1, description="daily decay of recent feedback")


class Feed(Section):
    """What a visit reads and what it does with it (docs/model.md 7.4)."""

    feed_size: int = Field(8, ge=1, le=100, description="posts read per visit")
    feed_window: int = Field(14, ge=1, le=365, description="days a post stays in feeds")
    feed_base: float = Field(0.15, ge=0, le=1, description="baseline acceptance of a post into a feed")
    feed_tie: float = Field(0.6, ge=0, le=1, description="extra acceptance for posts by one's ties")
    feed_department: float = Field(0.25, ge=0, le=1, description="extra acceptance for posts from one's department")
    feed_popularity: float = Field(0.5, ge=0, le=1, description="extra acceptance for endorsed posts (saturates at 10)")
    feed_leader: float = Field(0.4, ge=0, le=1, description="extra acceptance for posts by leaders")
    value_update: float = Field(0.25, ge=0, le=1, description="chance an ordinary update is useful to a reader")
    value_work: float = Field(0.7, ge=0, le=1, description="chance a work post (replacing e-mail) or a leader's post is useful")
    value_idea: float = Field(0.7, ge=0, le=1, description="chance an idea is useful (interesting) to a reader")
    endorse_prob: float = Field(0.25, ge=0, le=1, description="chance to endorse a useful post (x willingness)")
    reply_prob: float = Field(0.08, ge=0, le=1, description="chance to reply to a useful post (x willingness)")
    answer_prob: float = Field(0.6, ge=0, le=1, description="chance to answer a question one can answer (x willingness)")
    learn_prob: float = Field(0.3, ge=0, le=1, description="chance to learn a topic by reading its answer")


class QuestionRouting(Section):
    """Work problems, asked on the platform or through e-mail and the hierarchy (docs/model.md 7.6)."""

    question_rate: float = Field(0.01, ge=0, le=1, description="work problems needing someone else's knowledge, per person-day")
    question_home_share: float = Field(0.3, ge=0, le=1, description="share of problems on one's own department's topics")
    platform_patience: int = Field(5, ge=0, le=365, description="days a platform question waits before going up the hierarchy too")
    question_ttl: int = Field(90, ge=1, le=3650, description="days after which an unanswered question is dropped")
    email_reply_prob: float = Field(0.2, ge=0, le=1, description="daily chance an e-mailed colleague who knows replies")
    manager_handle_prob: float = Field(0.2, ge=0, le=1, description="daily chance a holder below the leaders (a manager or colleague) handles a forwarded question")
    senior_handle_prob: float = Field(0.05, ge=0, le=1, description="the same for senior managers (busy executives)")


class IdeaReview(Section):
    """Ideas, endorsed on the platform or reviewed by the executives (docs/model.md 7.7)."""

    idea_rate: float = Field(0.005, ge=0, le=1, description="ideas per person-day")
    idea_endorsements: int = Field(3, ge=1, le=1000, description="endorsements that adopt an idea on the platform")
    exec_ideas_per_day: float = Field(0.25, ge=0, le=1000, description="ideas the executives can review per day")
    exec_approval: float = Field(0.5, ge=0, le=1, description="chance a reviewed idea is approved")
    idea_ttl: int = Field(180, ge=1, le=3650, description="days an idea waits in the executives' queue before it is dropped")


class TrustAndAbuse(Section):
    """Trust, abuse and monitoring (docs/model.md 7.9)."""

    abuse_prob: float = Field(0.3, ge=0, le=1, description="chance a bad actor posts abuse on a visit")
    abuse_trust_hit: float = Field(0.03, ge=0, le=1, description="trust lost by reading abuse left online")
    leader_trust_gain: float = Field(0.01, ge=0, le=1, description="trust gained (x distance to 1) by reading a leader's post")
    trust_relax: float = Field(0.01, ge=0, le=1, description="daily pull of trust back to its initial value")
    monitoring_trust_drift: float = Field(0.01, ge=0, le=1, description="daily trust loss under full monitoring")


class PlatformTies(Section):
    """Ties made on the platform (docs/model.md 7.8)."""

    platform_ties: int = Field(8, ge=0, le=64, description="slots for ties made on the platform, per person (0: none)")
    tie_decay: float = Field(0.99, ge=0, le=1, description="daily decay factor of a platform tie's strength")


# pydantic lists a model's fields from its last base to its first: the bases are in reverse order
class Behaviour(PlatformTies, TrustAndAbuse, IdeaReview, QuestionRouting, Feed, Posting, Visiting,
                WordOfMouthAndRegistration):
    """Coefficients of the daily decisions (logistic scores unless stated), by submodel. All are guesses, calibrated."""


class Registration(Section):
    """Which adoption rule turns aware people into members; classic rules reduce the model to known science."""

    rule: Literal["esn", "bass", "threshold"] = Field("esn", description="esn (the model), bass (p, q) or threshold (phi)")
    bass_p: float = Field(0.03, ge=0, le=1, description="bass: innovation coefficient (Sultan et al. 1990: 0.03)")
    bass_q: float = Field(0.38, ge=0, le=10, description="bass: imitation coefficient (Sultan et al. 1990: 0.38)")
    phi: float = Field(0.18, ge=0, le=1, description="threshold: adopt when this share of one's ties have adopted")
    phi_sd: float = Field(0.0, ge=0, le=1, description="threshold: spread of per-person thresholds (normal, clipped)")
    count_threshold: int = Field(0, ge=0, le=1_000_000, description="threshold: also need at least this many adopted ties")
    count_thresholds: list[Annotated[int, Field(strict=True, ge=0, le=1_000_000)]] | None = Field(None, description="threshold: per-person count thresholds (length n_employees)")
    initial_adopters: float = Field(0, ge=0, le=10_000_000, description="seeds: a count (>= 1) or a share (< 1) adopting at day 0")
    seeding: Literal["random", "top", "bottom", "cluster"] = Field(
        "random",
        description="seeds chosen at random, from the top or the bottom of the hierarchy, or as a cluster: "
        "a random employee, their ties, then ties of ties, until the count (Centola & Macy 2007)",
    )

    @model_validator(mode="after")
    def _whole_count(self) -> Registration:
        if self.initial_adopters >= 1 and self.initial_adopters != int(self.initial_adopters):
            raise ValueError(
                f"initial_adopters ({self.initial_adopters:g}) must be a whole count (>= 1) or a share (< 1)"
            )
        return self


class Policy(Section):
    """Inputs management controls; timed events change these (never outputs)."""

    platform_open: bool = Field(True, description="the platform exists (false: e-mail and hierarchy only)")
    management_endorsement: float = Field(0.0, ge=0, le=1, description="official backing as perceived by staff")
    time_allowance: float = Field(0.0, ge=0, le=1, description="share of a visit's time counted as work time")
    leader_participation: float = Field(0.0, ge=0, le=1, description="daily chance a leader visits and posts as a role model")
    email_replacement: float = Field(0.0, ge=0, le=1, description="share of work communication moved from e-mail to the platform")
    moderation: float = Field(0.0, ge=0, le=1, description="daily chance each abusive post is removed by moderators")
    monitoring: float = Field(0.0, ge=0, le=1, description="surveillance intensity: restricts detected abusers, chills everyone")
    partners_open: bool = Field(False, description="external partners and customers may join")


class Event(Section):
    """A timed change of inputs: announce the platform and/or set policy values."""

    day: int = Field(..., ge=0, le=36500, description="day the event happens (before that day's step)")
    announce: Literal["all"] | list[int] | None = Field(None, description="'all' or department indices made aware")
    set: dict[str, float | bool] = Field(default_factory=dict, description="policy fields to set, e.g. {management_endorsement: 0.8}")
    note: Text = Field("", max_length=1000, description="free text shown in reports")

    @model_validator(mode="after")
    def _known_policy_fields(self) -> Event:
        unknown = sorted(set(self.set) - set(Policy.model_fields))
        if unknown:
            raise ValueError(
                f"unknown policy field(s) {unknown} in 'set'; valid: {sorted(Policy.model_fields)}"
            )
        return self


class Rollout(Section):
    """How the platform is launched: champions at day 0, then timed events."""

    champions: int = Field(0, ge=0, le=1_000_000, description="enthusiasts registered at day 0 (bottom-up launch)")
    events: list[Event] = Field(default_factory=list, description="timed events, in any order")


def expectation(message: str) -> str:
    """Pydantic's 'Input should be X' as 'X', to follow 'expected: ' in an error line."""
    return message.removeprefix("Input should be ")


class Scenario(Section):
    """A complete scenario: base parameters plus timed events."""

    name: Title = Field("scenario", description="title used in reports; its output folder is a slug of it")
    description: Text = Field("", max_length=5000, description="what the scenario shows")
    run: RunSettings = Field(default_factory=RunSettings)
    organization: Organization = Field(default_factory=Organization)
    employees: Employees = Field(default_factory=Employees)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    registration: Registration = Field(default_factory=Registration)
    policy: Policy = Field(default_factory=Policy)
    rollout: Rollout = Field(default_factory=Rollout)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        n = self.organization.n_employees
        if self.rollout.champions > n:
            raise ValueError(f"rollout.champions ({self.rollout.champions}) exceeds organization.n_employees ({n})")
        counts = self.registration.count_thresholds
        if counts is not None and len(counts) != n:
            raise ValueError(
                f"registration.count_thresholds has {len(counts)} values; expected one per employee ({n})"
            )
        if self.registration.initial_adopters >= 1 and self.registration.initial_adopters > n:
            raise ValueError(f"registration.initial_adopters ({self.registration.initial_adopters:g}) exceeds n_employees ({n})")
        for event in self.rollout.events:
            try:
                Policy.model_validate({**self.policy.model_dump(), **event.set})
            except ValidationError as exc:
                first = exc.errors()[0]
                raise ValueError(
                    f"rollout.events: the event on day {event.day} sets {first['loc'][0]}={first['input']!r}; "
                    f"expected: {expectation(first['msg'])}"
                ) from None
            if isinstance(event.announce, list):
                bad = [d for d in event.announce if not 0 <= d < self.organization.n_departments]
                if bad:
                    raise ValueError(
                        f"rollout.events: the event on day {event.day} announces department(s) {bad}; "
                        f"expected indices 0..{self.organization.n_departments - 1}"
                    )
        return self
