"""Source 000's conclusions, each tested against the stored runs: holds, does not hold, or not
decidable yet (and which run would decide it).

Source 000 reads its CIFAR tables in two sentences: the naive model, with about ten times the
parameters, does not differ much in accuracy; apart from Short4, almost every model reaches about
the same error. (Its table also lists each variant's training time, which invites a third
reading: time follows the work per image.) "About the same" needs a number before data can test
it. :func:`margin_bounds` reads one off a published table: the largest gap from the reference
among the variants called alike, and the smallest gap of those set apart, each widened by the
two-decimal rounding of both printed errors; :func:`equivalence_margin` puts the line halfway.

Which variants are set apart is a reading. The source's words name only Short4
(:data:`NAMED_OUTLIERS`); on its CIFAR-100 table that gives a margin of 0.06, but on its CIFAR-10
table naive differs from googlenet as much as Short4 does, and no margin separates them. The
chapter's CIFAR-10 reading therefore sets naive apart too (:data:`OUTLIERS`), which gives 0.03;
under that margin the source's own CIFAR-10 table already puts naive outside "about the same",
so the reading contradicts the first sentence by construction. Both readings are tested.

A comparison then decides a claim only when its 95% interval over seeds *and* test images
(:func:`gnet_lib.training.analysis.statistics.seed_image_difference`) lies wholly on one side of the
margin, and only with 2 or more seeds of both variants: one seed decides nothing. A one-sided
claim ("worse by more than the margin") read off a two-sided 95% interval errs with at most 2.5%
on its side, stricter than the usual equivalence test on a 90% interval (5% per side).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ...core.errors import UsageError
from ...core.published import PublishedRun
from ...core.tables import Table
from ..experiments.midscale import MidscaleRun
from .fits import log_log_slope
from .seed_comparison import Comparison, Runs, compare

HOLDS, FAILS, UNDECIDED = "holds", "does not hold", "not decidable yet"

#: Half of the last printed digit of source 000's errors (two decimals): how far rounding can move one.
ROUNDING = 0.005

#: The variants the chapter's CIFAR-10 reading sets apart: both print 0.15 against 0.10-0.11.
OUTLIERS = ("short4", "naive")

#: The only variant source 000's text sets apart ("apart from Short4").
NAMED_OUTLIERS = ("short4",)

#: The elasticity band within which training time counts as proportional to the work per image:
#: 1% more MACs costs between 0.8% and 1.25% more time (symmetric on a log scale).
PROPORTIONAL = (0.8, 1.25)


@dataclass(frozen=True)
class Verdict:
    """One claim's verdict, the numbers it rests on, and (while undecided) what would decide it."""

    claim: str
    status: str
    evidence: str
    decides: str = ""
    #: the labels of the pending mid-scale runs that would decide (or narrow) it
    waiting_for: tuple[str, ...] = ()
    #: the variant a comparison's verdict is about
    subject: str = ""


@dataclass(frozen=True)
class MarginBounds:
    """What a published table says about "alike": the alike variants differ from the reference
    by up to ``within``, the outliers by at least ``apart`` (both allowing for rounding)."""

    within: float
    apart: float

    @property
    def margin(self) -> float | None:
        """Halfway between the two, or ``None`` where no margin separates them (within ≥ apart)."""
        return round((self.within + self.apart) / 2, 10) if self.within < self.apart else None


def margin_bounds(published: Mapping[str, PublishedRun], reference: str = "googlenet",
                  outliers: Sequence[str] = OUTLIERS, rounding: float = ROUNDING) -> MarginBounds:
    """The largest gap from ``reference`` among the variants not in ``outliers``, and the smallest
    gap by which an outlier is worse, each widened by the rounding of both printed errors."""
    for name in (reference, *outliers):
        if name not in published:
            raise UsageError(f"{name!r} is not in the published table; it lists {', '.join(published)}")
    ref = published[reference].top1_error
    alike = [abs(r.top1_error - ref) for name, r in published.items() if name != reference and name not in outliers]
    if not alike:
        raise UsageError("the table has no variant besides the reference and the outliers to call alike")
    return MarginBounds(round(max(alike) + 2 * rounding, 10),
                        round(min(published[name].top1_error - ref for name in outliers) - 2 * rounding, 10))


def equivalence_margin(published: Mapping[str, PublishedRun], reference: str = "googlenet",
                       outliers: Sequence[str] = OUTLIERS, rounding: float = ROUNDING) -> float:
    """The difference in error from ``reference`` below which a published table calls two
    variants alike: halfway between the largest gap among the alike ones and the smallest gap of
    an outlier, each widened by the rounding of both printed errors (:func:`margin_bounds`)."""
    bounds = margin_bounds(published, reference, outliers, rounding)
    if bounds.margin is None:
        raise UsageError(f"in this table the alike variants differ from {reference} by up to {bounds.within:.3f} and "
                         f"the outliers by as little as {bounds.apart:.3f}: no margin separates them")
    return bounds.margin


def _within(low: float, high: float, margin: float) -> str:
    """About equal: the whole interval inside (-margin, margin); shown apart: wholly outside it."""
    if -margin < low and high < margin:
        return HOLDS
    if low >= margin or high <= -margin:
        return FAILS
    return UNDECIDED


def _worse_by_more(low: float, high: float, margin: float) -> str:
    """Worse by more than the margin: the whole interval above it; shown not to be: wholly below."""
    if low > margin:
        return HOLDS
    if high < margin:
        return FAILS
    return UNDECIDED


def _comparison(runs: Runs, model: str, reference: str, resamples: int) -> Comparison | None:
    if model not in runs or reference not in runs or not set(runs[model]) & set(runs[reference]):
        return None
    return compare(runs, model, reference, resamples)


def _evidence(c: Comparison | None, model: str, reference: str) -> str:
    if c is None:
        return f"waiting for paired runs of {model} and {reference}"
    if c.interval is None:
        return (f"{model} - {reference} {c.difference:+.4f} on seed {c.seeds[0]} (test images only: "
                f"{c.bootstrap.low:+.4f} to {c.bootstrap.high:+.4f}); one seed decides nothing")
    return (f"{model} - {reference} {c.difference:+.4f}, 95% CI {c.interval.low:+.4f} to {c.interval.high:+.4f} "
            f"(seeds {', '.join(map(str, c.seeds))} and {c.interval.images:,} test images)")


def _fewest(model: str, reference: str, now: dict[str, set[int]], pending: Sequence[MidscaleRun],
            shared_later: set[int]) -> list[str]:
    """The fewest pending plain runs after which the two variants share 2 seeds."""
    shared_now = now[model] & now[reference]
    options = []
    for seed in sorted(shared_later - shared_now):
        missing = [name for name in (model, reference) if seed not in now[name]]
        options.append((len(missing), seed))
    chosen = {seed for _, seed in sorted(options)[:max(0, 2 - len(shared_now))]}
    return [r.label for r in pending if not r.changes and r.model in (model, reference) and r.seed in chosen
            and r.seed not in now[r.model]]


def _decider(model: str, reference: str, runs: Runs, pending: Sequence[MidscaleRun],
             status: str) -> tuple[str, tuple[str, ...]]:
    """Which pending plain runs would decide (or narrow) this comparison: the fewest that give the
    two variants 2 shared seeds, and the others queued; where the queue gives them fewer than 2
    (or only 2) shared seeds, that runs beyond it are needed (2 seeds rarely decide: the seeds'
    part of the interval is multiplied by t = 12.7)."""
    if status != UNDECIDED:
        return "", ()
    now = {name: set(runs.get(name, {})) for name in (model, reference)}
    later = {name: now[name] | {r.seed for r in pending if r.model == name and not r.changes} for name in now}
    shared_now, shared_later = now[model] & now[reference], later[model] & later[reference]
    waiting = tuple(r.label for r in pending if not r.changes and r.model in now and r.seed in shared_later
                    and r.seed not in now[r.model])
    if len(shared_later) < 2:
        short = [name for name in (model, reference) if len(later[name]) < 2] or [model]
        scheduled = "; ".join(f"{name} seeds {', '.join(map(str, sorted(later[name]))) or 'none'}" for name in now)
        return (f"a second seed of {' and '.join(short)}, which the mid-scale queue does not schedule (stored and "
                f"queued: {scheduled})"), ()
    if len(shared_now) < 2:
        first = _fewest(model, reference, now, pending, shared_later)
        rest = [label for label in waiting if label not in first]
        if len(shared_later) >= 3:
            after = f"; the queue's {', '.join(rest)} then give{'s' if len(rest) == 1 else ''} a third"
        else:
            thin = [name for name in (model, reference) if len(later[name]) < 3]
            after = (f"; 2 seeds rarely decide, and the queue schedules no third seed of {' and '.join(thin)}")
        return (f"2 shared seeds once {', '.join(first)} {'is' if len(first) == 1 else 'are'} stored{after}"), waiting
    if waiting:
        return f"more seeds (the interval still straddles the margin): pending runs {', '.join(waiting)}", waiting
    return (f"more seeds than the mid-scale queue schedules (the interval over seeds "
            f"{', '.join(map(str, sorted(shared_now)))} still straddles the margin)"), ()


def _part(runs: Runs, model: str, reference: str, margin: float, worse: bool, pending: Sequence[MidscaleRun],
          resamples: int) -> Verdict:
    c = _comparison(runs, model, reference, resamples)
    if c is None or c.interval is None:
        status = UNDECIDED
    else:
        status = (_worse_by_more if worse else _within)(c.interval.low, c.interval.high, margin)
    claim = (f"{model} worse than {reference} by more than {margin:.3f}" if worse
             else f"{model} within {margin:.3f} of {reference}")
    decides, waiting = _decider(model, reference, runs, pending, status)
    return Verdict(claim, status, _evidence(c, model, reference), decides, waiting, model)


def naive_claim(runs: Runs, margin: float, published: Mapping[str, PublishedRun], pending: Sequence[MidscaleRun] = (),
                reference: str = "googlenet", resamples: int = 2000) -> Verdict:
    """"The naive model has about ten times the parameters, yet its error differs little": naive
    within ``margin`` of the reference."""
    ratio = published["naive"].params / published[reference].params
    part = _part(runs, "naive", reference, margin, False, pending, resamples)
    return Verdict(f"naive, with {ratio:.1f} times the parameters, errs about as often as {reference} "
                   f"(within {margin:.3f})", part.status, part.evidence, part.decides, part.waiting_for, "naive")


def combined(claim: str, parts: Sequence[Verdict]) -> Verdict:
    """A claim made of parts: does not hold if any part does not, holds if every part holds,
    else not decidable yet (decided by the undecided parts' pending runs, or by runs not queued)."""
    if not parts:
        raise UsageError("a combined claim needs at least one part")
    statuses = [p.status for p in parts]
    status = FAILS if FAILS in statuses else HOLDS if all(s == HOLDS for s in statuses) else UNDECIDED
    tally = ", ".join(f"{statuses.count(s)} {s}" for s in (HOLDS, FAILS, UNDECIDED) if statuses.count(s))
    if status != UNDECIDED:
        return Verdict(claim, status, f"{len(parts)} parts: {tally}")
    waiting = tuple(dict.fromkeys(label for p in parts for label in p.waiting_for))
    unscheduled = [p.subject or p.claim for p in parts if p.status == UNDECIDED and not p.waiting_for]
    decides = "; ".join(([f"pending runs {', '.join(waiting)}"] if waiting else [])
                        + ([f"more seeds of {', '.join(unscheduled)} than the mid-scale queue schedules"]
                           if unscheduled else []))
    return Verdict(claim, status, f"{len(parts)} parts: {tally}", decides, waiting)


def alike_parts(runs: Runs, margin: float, variants: Sequence[str], pending: Sequence[MidscaleRun] = (),
                reference: str = "googlenet", outliers: Sequence[str] = OUTLIERS, resamples: int = 2000) -> list[Verdict]:
    """"Every variant errs about as often as the reference except the outliers": one part per
    variant, within ``margin`` for the others, worse by more than ``margin`` for the outliers."""
    return [_part(runs, v, reference, margin, v in outliers, pending, resamples) for v in variants if v != reference]


def time_claim(macs: Mapping[str, float], seconds: Mapping[str, float], where: str,
               band: tuple[float, float] = PROPORTIONAL, closed: bool = False) -> Verdict:
    """"Training time follows the work per image": the slope of log time on log MACs across the
    variants, holding where its 95% interval lies inside ``band``, failing where it lies wholly
    outside, undecided otherwise (or with fewer than 3 variants). ``closed``: the times are a
    finished published table, which no further run can add to, so an open verdict says that
    these times do not decide it rather than asking for more."""
    names = [n for n in macs if n in seconds]
    claim = f"training time follows the work per image ({where})"
    if len(names) < 3:
        return Verdict(claim, UNDECIDED, f"{len(names)} variant{'s' if len(names) != 1 else ''} timed",
                       f"not decided by {len(names)} times" if closed else "3 or more variants timed the same way")
    s = log_log_slope([macs[n] for n in names], [seconds[n] for n in names])
    low, high = band
    status = HOLDS if low <= s.low and s.high <= high else FAILS if s.high < low or s.low > high else UNDECIDED
    evidence = f"time grows as MACs to the power {s.slope:.2f} (95% CI {s.low:.2f} to {s.high:.2f}, {s.n} variants)"
    open_note = f"not decided by these {s.n} times" if closed else "more variants, or less scatter in the times"
    return Verdict(claim, status, evidence, "" if status != UNDECIDED else open_note)


def verdict_table(verdicts: Sequence[Verdict], title: str) -> Table:
    """The verdicts as a table: claim, verdict, the numbers, and what would decide an open one."""
    rows = [{"claim": v.claim, "verdict": v.status, "evidence": v.evidence, "what would decide it": v.decides}
            for v in verdicts]
    return Table(("claim", "verdict", "evidence", "what would decide it"), rows, title=title)
