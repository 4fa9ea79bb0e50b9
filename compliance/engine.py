"""The compliance engine: which standards apply where, evaluation, and materialized findings.

Applicability: a standard applies to a community on a date when its document is in force (not a
draft, not repealed), the document and the standard are effective on that date, and the
community's code starts with one of the standard's scope prefixes. Precedence: national law binds
alongside everything else; among policy documents, for one rule key the longest (most specific)
matching scope prefix wins, then the latest effective date. So a Zhuhai community is held both to
the national law's household band and to Guangdong's, and a district can replace Guangdong's
funding floor with its own stricter one without code.

Other apps ask this in one place: ``applicable_standards(community, on, rule_keys)`` gives the
standards that apply, per rule key, with their checked parameters (an election's thresholds,
the majority a resolution needs); ``applicability(community, on)`` lists every standard with
whether and why it applies (the compliance tab). Both resolve with the ``Resolver`` below, which
the evaluation uses for many communities at once.
"""

from __future__ import annotations

import datetime
import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.db.models.functions import Substr
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance import intervals, rollups
from compliance.models import Finding, JurisdictionFinding, PolicyDocument, Standard, Status
from compliance.rules import INFO_RULE, JurisdictionRule, Rule, Verdict, registry, sharing_measures
from divisions.models import Community

logger = logging.getLogger(__name__)

DIVISION_LENGTHS = (2, 4, 6, 9)
WRITE_BATCH = 5000
# STANDARDS.md: a 一般/原则上 clause is still checked, but the finding says it is a default.
DEFAULT_NOTE = gettext_lazy("本条为一般性规定(原文“一般”“原则上”),地方可因地制宜。")


# --- applicability -----------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A standard loaded for one evaluation, with everything resolved once."""

    standard: Standard
    rule: Rule | None
    params: dict
    scopes: tuple[str, ...]
    starts: datetime.date | None
    ends: datetime.date | None
    problem: str  # why it can never apply on this date ("" if it can)

    def judge(self, value: object, *, as_of: datetime.date) -> Verdict:
        """This standard's verdict on one measured value (its rule's pure judge, with the
        standard's checked parameters). Only for a candidate that applies (``rule`` set)."""
        if self.rule is None:
            raise ValueError(f"standard {self.standard.code} has no rule to judge with")
        return self.rule.judge(value, self.params, as_of=as_of)

    @property
    def group(self) -> tuple[str, str, str]:
        tier = self.standard.document.tier
        # National law is never displaced by a local rule; policies displace each other, but
        # only within one requirement: a rule may say that its standards measure different
        # things (GD-13b indoor and GD-13c outdoor space both hold in Guangdong).
        requirement = self.rule.precedence_key(self.params) if self.rule else ""
        return (
            self.standard.rule_key,
            requirement,
            f"law:{self.standard.pk}" if tier == "law" else "policy",
        )


@dataclass(frozen=True)
class Applicability:
    standard: Standard
    applies: bool
    reason: str


def _problem(standard: Standard, rule: Rule | None, as_of: datetime.date) -> tuple[str, dict]:
    document = standard.document
    if document.status == PolicyDocument.Status.DRAFT:
        return _("征求意见稿,尚未施行。"), {}
    if document.status == PolicyDocument.Status.REPEALED:
        return _("文件已废止。"), {}
    starts, ends = standard.starts, standard.ends
    if starts and as_of < starts:
        return _("自 %(d)s 起施行。") % {"d": starts.isoformat()}, {}
    if ends and as_of > ends:
        return _("已于 %(d)s 失效。") % {"d": ends.isoformat()}, {}
    if standard.rule_key == INFO_RULE:
        return _("说明性条款,不作检查。"), {}
    if rule is None:
        return _("该条款的检查规则尚未实现。"), {}
    try:
        return "", rule.clean_params(standard.params)
    except ValidationError as error:
        logger.warning("standard %s has bad params: %s", standard.code, error.messages)
        return _("参数无效,未作检查:%(e)s") % {"e": ";".join(error.messages)}, {}


def load_candidates(
    as_of: datetime.date,
    level: str = Standard.Level.COMMUNITY,
    rule_keys: Iterable[str] | None = None,
) -> list[Candidate]:
    """Every standard of the level (or only those of ``rule_keys``), resolved for the date: one
    query. Precedence is decided within one rule key, so leaving other keys out changes nothing
    for those asked for."""
    standards = Standard.objects.select_related("document").filter(level=level)
    if rule_keys is not None:
        standards = standards.filter(rule_key__in=sorted(set(rule_keys)))
    candidates = []
    for standard in standards:
        rule = registry.get(standard.rule_key)
        problem, params = _problem(standard, rule, as_of)
        candidates.append(
            Candidate(
                standard,
                rule,
                params,
                tuple(standard.scopes),
                standard.starts,
                standard.ends,
                problem,
            )
        )
    return candidates


_resolvers: dict[tuple, Resolver] = {}


def catalogue_version() -> tuple:
    """Changes whenever a standard or a policy document is added, edited or removed (one small
    aggregate over the catalogue)."""
    return tuple(
        Standard.objects.aggregate(
            n=models.Count("id"),
            standards=models.Max("updated_at"),
            documents=models.Max("document__updated_at"),
        ).values()
    )


def cached_resolver(as_of: datetime.date, level: str = Standard.Level.COMMUNITY) -> Resolver:
    """A Resolver for pages, kept by each process while the catalogue is unchanged: loading and
    validating every standard's parameters on each view of a community tab costs more than the
    rest of the page. The evaluation builds its own."""
    # The registry too: a candidate holds its rule, and tests swap the registered rules.
    rules = frozenset(registry.rules.items())
    key = (as_of, level, translation.get_language(), rules, catalogue_version())
    resolver = _resolvers.get(key)
    if resolver is None:
        if len(_resolvers) >= 32:  # a few dates and languages at most; never grows unbounded
            _resolvers.clear()
        resolver = _resolvers[key] = Resolver(load_candidates(as_of, level))
    return resolver


class Resolver:
    """Which candidates apply to a code; memoized by the set of matching scopes."""

    def __init__(self, candidates: list[Candidate]):
        self.candidates = candidates
        self.scopes = sorted({s for c in candidates for s in c.scopes}, key=len)
        self._memo: dict[tuple[str, ...], list[Applicability]] = {}
        self._applicable: dict[tuple[str, ...], list[Candidate]] = {}

    def matched_scopes(self, code: str) -> tuple[str, ...]:
        return tuple(s for s in self.scopes if code.startswith(s))

    def resolve(self, code: str) -> list[Applicability]:
        key = self.matched_scopes(code)
        if key not in self._memo:
            self._memo[key] = self._resolve(set(key))
        return self._memo[key]

    def applicable(self, code: str) -> list[Candidate]:
        # Called once per community: memoized by the matching scopes, like resolve().
        key = self.matched_scopes(code)
        if key not in self._applicable:
            ids = {a.standard.pk for a in self.resolve(code) if a.applies}
            self._applicable[key] = [c for c in self.candidates if c.standard.pk in ids]
        return self._applicable[key]

    def _resolve(self, matched: set[str]) -> list[Applicability]:
        out: list[Applicability] = []
        live: dict[tuple[str, ...], list[tuple[int, datetime.date, Candidate]]] = defaultdict(list)
        for c in self.candidates:
            hits = [s for s in c.scopes if s in matched]
            if not hits:
                scope_names = "、".join(s or _("全国") for s in c.scopes)
                out.append(
                    Applicability(
                        c.standard, False, _("不在适用范围内(适用于 %(s)s)。") % {"s": scope_names}
                    )
                )
            elif c.problem:
                out.append(Applicability(c.standard, False, c.problem))
            else:
                live[c.group].append((max(map(len, hits)), c.starts or datetime.date.min, c))
        for group in live.values():
            group.sort(key=lambda item: (item[0], item[1], item[2].standard.code), reverse=True)
            winner = group[0][2]
            out.append(Applicability(winner.standard, True, ""))
            for _len, _start, loser in group[1:]:
                out.append(
                    Applicability(
                        loser.standard,
                        False,
                        _("已被更具体或更新的标准 %(code)s 取代。")
                        % {"code": winner.standard.code},
                    )
                )
        return sorted(out, key=lambda a: a.standard.code)


def _code_of(community_or_code: Community | str) -> str:
    return community_or_code if isinstance(community_or_code, str) else community_or_code.code


def applicable_standards(
    community_or_code: Community | str,
    on: datetime.date,
    rule_keys: Iterable[str] | None = None,
    *,
    level: str = Standard.Level.COMMUNITY,
) -> dict[str, list[Candidate]]:
    """The standards that apply to one community (or, at the jurisdiction level, one division
    code) on a date, by rule key: ``{rule_key: [Candidate, …]}``, each list sorted by standard
    code; a rule key with no applicable standard is absent.

    The one answer to "which standard applies here on this date" (see the module docstring):
    in force, effective, in scope, and after precedence, so a rule key may still have several
    (national law alongside a local policy; requirements a rule keeps apart). Each candidate
    carries its ``standard``, its checked ``params`` and ``judge(value, as_of=…)``; which of
    several binds is the caller's domain (the shortest term, the strictest majority…).

    One query, restricted in SQL to ``rule_keys`` when given, and read fresh: services may
    freeze what it returns with a record. For many communities at once, ``judge_communities``.
    """
    resolver = Resolver(load_candidates(on, level, rule_keys))
    found: dict[str, list[Candidate]] = {}
    for candidate in sorted(resolver.applicable(_code_of(community_or_code)), key=_by_code):
        found.setdefault(candidate.standard.rule_key, []).append(candidate)
    return found


def _by_code(candidate: Candidate) -> str:
    return candidate.standard.code


def applicability(
    community_or_code: Community | str,
    on: datetime.date,
    *,
    level: str = Standard.Level.COMMUNITY,
) -> list[Applicability]:
    """Every standard of the level, whether it applies to this community (or division code) on
    the date and if not why (out of scope, not yet in force, displaced by…), sorted by code.
    For pages: the catalogue is resolved once per process while it is unchanged
    (``cached_resolver``); one small query to check that."""
    return cached_resolver(on, level).resolve(_code_of(community_or_code))


# --- evaluation --------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    candidate: Candidate
    verdict: Verdict


class BatchOfCommunities(QuerySet):
    """The communities being judged, as every rule's ``measure`` receives them.

    Most measures start from the communities' own columns (``values_list("id", "households")``
    and the like): those are read once for the batch and served from memory, instead of one
    query per rule. Anything else (``values("pk")`` as a subquery, filters…) is an ordinary
    queryset."""

    _rows: list[dict] | None = None

    def values_list(self, *fields, flat=False, named=False):
        columns = {f.attname for f in Community._meta.concrete_fields}
        if named or not fields or not set(fields) <= columns:
            return super().values_list(*fields, flat=flat, named=named)
        if self._rows is None:
            self._rows = list(super().values(*sorted(columns)))
        if flat:
            return [row[fields[0]] for row in self._rows]
        return [tuple(row[f] for f in fields) for row in self._rows]


def judge_communities(
    communities: QuerySet[Community], as_of: datetime.date, resolver: Resolver | None = None
) -> dict[int, list[Outcome]]:
    """Judge every applicable standard for every community, without writing anything.

    A fixed number of queries: the communities once, then one or a few per rule key in use;
    the count does not grow with the number of communities.
    """
    resolver = resolver or Resolver(load_candidates(as_of))
    communities = BatchOfCommunities(model=Community, query=communities.query.chain())
    per_community = {
        pk: resolver.applicable(code) for pk, code in communities.values_list("id", "code")
    }
    keys = {c.standard.rule_key for cands in per_community.values() for c in cands}
    facts: dict[str, dict[int, object] | None] = {}
    with sharing_measures():
        for key in sorted(keys):
            try:
                # A savepoint: on PostgreSQL a failed query would otherwise abort the whole
                # transaction, and with it every other rule's findings.
                with transaction.atomic():
                    facts[key] = registry.rules[key].measure(communities, as_of)
            except Exception:
                # One broken rule must not stop the others: its standards are skipped and logged.
                logger.exception("rule %s failed to measure", key)
                facts[key] = None
    # Judges are pure, so one verdict per (standard, value) serves every community with that
    # value: at national scale most values repeat, and building the texts is the slow part.
    memo: dict[tuple[int, object], Verdict] = {}
    outcomes: dict[int, list[Outcome]] = {}
    for pk, candidates in per_community.items():
        results = []
        for c in candidates:
            values = facts[c.standard.rule_key]
            if values is None:
                continue
            value = values.get(pk)
            memo_key: tuple[int, object] | None
            try:
                memo_key = (c.standard.pk, value)
                verdict = memo.get(memo_key)
            except TypeError:  # an unhashable value: judge it every time
                memo_key, verdict = None, None
            if verdict is None:
                try:
                    verdict = c.judge(value, as_of=as_of)
                except Exception:
                    logger.exception("standard %s failed on community %s", c.standard.code, pk)
                    continue
                if c.standard.is_default and verdict.status == Status.NON_COMPLIANT:
                    verdict = replace(verdict, explanation=f"{verdict.explanation}{DEFAULT_NOTE}")
                if memo_key is not None:
                    memo[memo_key] = verdict
            results.append(Outcome(c, verdict))
        outcomes[pk] = results
    return outcomes


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def evaluate_communities(
    communities: QuerySet[Community],
    as_of: datetime.date,
    *,
    progress: Callable[[int], object] | None = None,
    batch: int = WRITE_BATCH,
) -> int:
    """Evaluate these communities as of a date and store what changed (compliance/intervals.py).

    Returns the number of finding rows written: 0 when every verdict is the same as the one
    stored for that date. Each batch of communities is its own transaction (a savepoint inside
    a caller's), holding row locks on its communities only: an evaluation interrupted halfway
    leaves consistent intervals and re-running completes it, and two evaluations of one scope
    take turns per batch instead of colliding.

    Called outside any transaction on PostgreSQL with more than one batch to do (the nightly
    run), the findings are written by a second connection while the next batch is judged: the
    judging is Python and the writing is mostly the server's work, so on two cores they
    overlap.
    """
    pipelined = (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and communities.count() > batch
    )
    with (
        # Stored texts are shared by all users: written in the portal's language.
        translation.override(settings.LANGUAGE_CODE),
        remembered_translations(),
    ):
        writer = _PipelinedWriter() if pipelined else None
        try:
            return _evaluate_communities(communities, as_of, progress, batch, writer)
        finally:
            if writer is not None:
                writer.abandon()


class _RememberingTranslation:
    """The active translation catalogue, remembering what ``gettext`` returned: a national
    evaluation asks it for the same few hundred texts (labels, units, expectations) well over a
    million times, and each lookup walks the catalogues."""

    def __init__(self, catalogue):
        self._catalogue = catalogue
        self._texts: dict[str, str] = {}

    def gettext(self, message: str) -> str:
        text = self._texts.get(message)
        if text is None:
            text = self._texts[message] = self._catalogue.gettext(message)
        return text

    def __getattr__(self, name: str):
        return getattr(self._catalogue, name)


@contextmanager
def remembered_translations() -> Iterator[None]:
    """For the duration of an evaluation, in the language already active. Uses Django's
    active-translation slot (django.utils.translation.trans_real._active); if that ever moves,
    the evaluation simply runs without the memo."""
    from django.utils.translation import trans_real

    slot = trans_real._active  # type: ignore[attr-defined]  # private: not in django-stubs
    active = getattr(slot, "value", None)
    if active is None or not hasattr(active, "gettext"):
        yield
        return
    slot.value = _RememberingTranslation(active)
    try:
        yield
    finally:
        slot.value = active


def without_jit() -> None:
    """PostgreSQL's JIT compiles each large aggregate of a measure for up to a second, often
    longer than the query then runs: not worth it for these one-off queries. For the rest of
    the transaction only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def standard_versions() -> dict[int, int]:
    """Each standard's latest history row: the version a verdict was judged with."""
    history = Standard.history.model
    return dict(
        history.objects.values("id").annotate(v=models.Max("history_id")).values_list("id", "v")
    )


def _evaluate_communities(communities, as_of, progress, batch, writer) -> int:
    resolver = Resolver(load_candidates(as_of))
    versions = standard_versions()
    codes = list(communities.order_by("code").values_list("code", flat=True))
    changes: list[tuple] = []
    written = 0
    for start in range(0, len(codes), batch):
        # Batches are ranges of codes: cheap to express in SQL, whatever the batch size.
        chunk = communities.filter(
            code__gte=codes[start], code__lte=codes[start : start + batch][-1]
        )
        with transaction.atomic():
            without_jit()
            outcomes = judge_communities(chunk, as_of, resolver)
        code_of = dict(chunk.values_list("id", "code"))
        verdicts = {
            (pk, o.candidate.standard.pk): (
                versions.get(o.candidate.standard.pk),
                o.verdict.status,
                _clip(str(o.verdict.measured), 200),
                _clip(str(o.verdict.expected), 200),
                _clip(str(o.verdict.explanation), 300),
                o.verdict.missing,
            )
            for pk, results in outcomes.items()
            for o in results
        }
        if writer is not None:
            writer.put(code_of, as_of, verdicts)
        else:
            written += _write_findings(code_of, as_of, verdicts, changes)
        if progress:
            progress(len(code_of))
    # The dashboards read roll-ups, not findings. The nightly run (pipelined) recounts those
    # under its scope; any other evaluation adjusts them by what it changed, right after its
    # transaction commits (rollups.apply: only the rows it changes, locked for milliseconds).
    if writer is not None:
        return written + writer.finish(rollups.division_prefix(codes) if codes else None)
    if codes:
        after_commit(partial(_apply_rollups, changes, codes, as_of))
    return written


def after_commit(function: Callable[[], object]) -> None:
    """Run ``function`` once the current transaction commits (now if there is none). Inside a
    test case's transaction, which is rolled back and never commits, run it now, as the
    commit would have."""
    blocks = connection.atomic_blocks
    if blocks and getattr(blocks[0], "_from_testcase", False):
        function()
    else:
        transaction.on_commit(function)


def _apply_rollups(changes: list[tuple], codes: list[str], as_of: datetime.date) -> None:
    code_of = dict(Community.objects.filter(code__in=codes).values_list("id", "code"))
    rollups.apply(
        [(code_of[key[0]], key[1], old, new) for key, old, new in changes if key[0] in code_of],
        codes,
        as_of,
    )


FINDINGS = intervals.Store(
    Finding,
    keys=("community_id", "standard_id"),
    values=("standard_version", "status", "measured", "expected", "explanation", "missing"),
    extra=("code",),
)
JURISDICTION_FINDINGS = intervals.Store(
    JurisdictionFinding,
    keys=("code", "standard_id"),
    values=(
        "standard_version",
        "status",
        "numerator",
        "denominator",
        "measured",
        "expected",
        "explanation",
    ),
)


def lock_communities(ids: Iterable[int]) -> None:
    """Row locks on these communities until commit, in code order (no deadlock between two
    evaluations): what makes two evaluations of one community take turns. Row locks, not
    advisory ones, so that a national run holds no entry per community in the lock table."""
    if connection.vendor == "postgresql":
        list(
            Community.objects.filter(pk__in=list(ids))
            .order_by("code")
            .select_for_update(no_key=True)
            .values_list("pk", flat=True)
        )


def _write_findings(
    code_of: dict[int, str],
    as_of: datetime.date,
    verdicts: dict[tuple, tuple],
    changes: list[tuple] | None = None,
) -> int:
    """Store these communities' verdicts of ``as_of`` as intervals (only what changed)."""
    with transaction.atomic():
        lock_communities(code_of)
        extra = {key: (code_of[key[0]],) for key in verdicts}
        scope = Finding.objects.filter(community_id__in=list(code_of))
        return intervals.write(FINDINGS, scope, as_of, verdicts, extra, changes)


class _PipelinedWriter:
    """``_write_findings`` for each batch on a thread with its own connection, one transaction
    per batch, then the roll-ups recounted by ``finish``; anything raised there is raised in
    the evaluating thread."""

    _DONE = object()

    def __init__(self) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=2)  # bounds the rows held in memory
        self._error: BaseException | None = None
        self._finished = False
        self.written = 0
        self._as_of: datetime.date | None = None
        self._thread = threading.Thread(target=self._run, name="findings-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from django.db import connection as own  # a connection of this thread's own

        try:
            while True:
                item = self._queue.get()
                if item is None:  # abandoned: what is committed is consistent
                    raise _Abandoned
                if item[0] is self._DONE:
                    break
                with transaction.atomic():
                    without_jit()
                    self.written += _write_findings(*item)
            if item[1] is not None:
                rollups.refresh(item[1], as_of=item[2])
        except _Abandoned:
            pass
        except BaseException as error:  # handed to the evaluating thread
            self._error = error
            while not self._queue.empty():  # unblock a put() waiting for room
                self._queue.get_nowait()
        finally:
            own.close()

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def _send(self, item) -> None:
        while self._thread.is_alive():
            try:
                self._queue.put(item, timeout=1)
                return
            except queue.Full:
                continue

    def put(self, code_of: dict[int, str], as_of: datetime.date, verdicts: dict) -> int:
        self._check()
        self._as_of = as_of
        self._send((code_of, as_of, verdicts))
        self._check()
        return 0  # counted by the writer, returned by finish()

    def finish(self, prefix: str | None) -> int:
        self._send((self._DONE, prefix, self._as_of))
        self._thread.join()
        self._finished = True
        self._check()
        return self.written

    def abandon(self) -> None:
        if not self._finished:
            self._send(None)
            self._thread.join()


class _Abandoned(Exception):
    pass


def evaluate_jurisdictions(
    prefix: str, as_of: datetime.date, codes: Iterable[str] | None = None
) -> int:
    """Evaluate jurisdiction-level standards for the divisions under ``prefix`` (or ``codes``).

    Each rule measures every level it is needed at in one call (``measure_levels``), so that a
    national evaluation scans the country once per rule, not once per level.
    """
    resolver = Resolver(load_candidates(as_of, Standard.Level.JURISDICTION))
    wanted = set(codes) if codes is not None else None
    with (
        transaction.atomic(),
        translation.override(settings.LANGUAGE_CODE),
        remembered_translations(),
    ):
        without_jit()
        by_length: dict[int, list[str]] = {}
        for length in DIVISION_LENGTHS:
            if length < len(prefix):
                continue
            division_codes = sorted(
                {c for c in wanted if len(c) == length}
                if wanted is not None
                else set(
                    Community.objects.filter(code__startswith=prefix)
                    .annotate(prefix=Substr("code", 1, length))
                    .values_list("prefix", flat=True)
                    .order_by()
                    .distinct()
                )
            )
            if division_codes:
                by_length[length] = division_codes
        plan = {code: resolver.applicable(code) for codes_ in by_length.values() for code in codes_}
        needed: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
        for code, candidates in plan.items():
            for key in {c.standard.rule_key for c in candidates}:
                needed[key][len(code)].append(code)
        facts: dict[str, dict | None] = {}
        for key, codes_by_length in needed.items():
            rule = registry.get(key)
            try:
                if not isinstance(rule, JurisdictionRule):
                    raise TypeError(f"{key} is not a jurisdiction rule")
                with transaction.atomic():  # a savepoint, as in judge_communities
                    facts[key] = rule.measure_levels(prefix, dict(codes_by_length), as_of)
            except Exception:
                logger.exception("jurisdiction rule %s failed", key)
                facts[key] = None
        versions = standard_versions()
        verdicts: dict[tuple, tuple] = {}
        for code, candidates in plan.items():
            for c in candidates:
                values = facts[c.standard.rule_key]
                if values is None:
                    continue
                value = values.get(code)
                try:
                    verdict = c.judge(value, as_of=as_of)
                except Exception:
                    logger.exception("standard %s failed on division %s", c.standard.code, code)
                    continue
                verdicts[(code, c.standard.pk)] = (
                    versions.get(c.standard.pk),
                    verdict.status,
                    value[0] if value else None,
                    value[1] if value else None,
                    _clip(str(verdict.measured), 200),
                    _clip(str(verdict.expected), 200),
                    _clip(str(verdict.explanation), 300),
                )
        if wanted is not None:
            evaluated = JurisdictionFinding.objects.filter(code__in=list(plan))
        else:  # every division under the prefix: one indexed prefix scan, not a list of codes
            evaluated = JurisdictionFinding.objects.filter(code__startswith=prefix)
        _serialize(plan if wanted is not None else [prefix])
        return intervals.write(JURISDICTION_FINDINGS, evaluated, as_of, verdicts)


def _serialize(scopes: Iterable[str]) -> None:
    """Make concurrent evaluations of overlapping divisions' aggregates take turns.

    Two at once would both open an interval and one would fail on the partial unique index.
    Hierarchical advisory locks, released at commit: exclusive on each evaluated scope, shared
    on every division above it, so a street and its district (or a double click) take turns,
    while two different streets share only their ancestors and never wait on each other. A
    handful of locks per call whatever the scope, taken in one global order (no deadlock).
    SQLite serializes writers by itself.
    """
    if connection.vendor != "postgresql":
        return
    modes: dict[str, str] = {}
    for scope in set(scopes):
        modes[scope] = "exclusive"
        for n in (0, *DIVISION_LENGTHS):
            if n < len(scope):
                modes.setdefault(scope[:n], "shared")
    with connection.cursor() as cursor:
        for key in sorted(modes):
            function = (
                "pg_advisory_xact_lock"
                if modes[key] == "exclusive"
                else ("pg_advisory_xact_lock_shared")
            )
            cursor.execute(f"SELECT {function}(hashtext(%s))", [f"jfindings:{key}"])


def reevaluate_community(community: Community, as_of: datetime.date | None = None) -> None:
    """After a community's data changed: its findings, its roll-ups and its street's aggregates.

    Locks only what it changes: the community's row (two saves of one community take turns)
    and its street's aggregates. The aggregates of districts and above (shares over thousands
    of communities, which one save moves by a fraction) are left to the nightly evaluation:
    re-measuring a province on every save is what made saves wait on each other.
    """
    as_of = as_of or timezone.localdate()
    street = community.code[:9]
    with transaction.atomic():
        evaluate_communities(Community.objects.filter(pk=community.pk), as_of)
        if Standard.objects.filter(level=Standard.Level.JURISDICTION).exists():
            evaluate_jurisdictions(street, as_of, codes=[street])
