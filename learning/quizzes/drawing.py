"""Drawing a new attempt's questions: fixed ones plus a random draw per rule, each snapshotted
with its options (maybe shuffled) and its key in the letters the trainee sees.

The candidate ids of a rule (the questions of its bank with its type, category and difficulty)
are read once per bank version and kept in the process (`_CANDIDATES`): a start then reads only
the draw plan (the fixed questions and the rules with their banks' versions, as two JSON arrays in
the quiz's own row: `draw_plan_annotations`, read with the quiz when starting) and the chosen rows. Every change to a
bank's questions gives the bank a new `questions_version` (`bank_questions_changed`: the
Question signals and the Excel import call it), so a cached pool is never used after its bank
changed, in any process.
"""

import json
import random
import secrets
import threading
from array import array
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import CharField, JSONField, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, JSONObject
from django.utils.translation import gettext as _

from hot_sql import JSONArrayAgg, PreparedRead, postgresql
from learning.quizzes.exceptions import QuizNotAvailable
from learning.quizzes.keys import key_as_shown
from learning.quizzes.models import (
    CHOICE_TYPES,
    OPTION_KEYS,
    Question,
    QuestionBank,
    QuestionType,
    Quiz,
    QuizDrawRule,
    QuizQuestion,
    new_questions_version,
)

# What a snapshot needs of a question, read as plain tuples (no model instances).
_SNAPSHOT_FIELDS = ("id", "type", "stem", "options", "answer", "explanation", "score")

# (bank id, bank questions_version, type, category, difficulty) → the ids in id order, as a
# compact array (8 bytes an id). Bounded: a worker keeps the pools of the exams being sat, and an
# entry of a changed bank is never read again (its version is gone), so the least recently used
# go first once the pools hold more than _CANDIDATES_MAX_IDS ids (16 MB) in all.
_CANDIDATES: OrderedDict[tuple, array] = OrderedDict()
_CANDIDATES_MAX_IDS = 2_000_000
_candidates_size = 0
_candidates_lock = threading.Lock()


def candidates_cache_clear() -> None:
    """Forget every cached pool (tests; never needed for correctness)."""
    global _candidates_size
    with _candidates_lock:
        _CANDIDATES.clear()
        _candidates_size = 0


def bank_questions_changed(bank_ids) -> None:
    """Give the banks a new questions_version: every process stops using their cached pools."""
    ids = {bank_id for bank_id in bank_ids if bank_id is not None}
    if ids:
        QuestionBank.objects.filter(pk__in=ids).update(questions_version=new_questions_version())


def question_saved(sender, *, instance: Question, **kwargs) -> None:
    """post_save of a Question: its bank (and the one it left, if moved) changed."""
    bank_questions_changed({instance.bank_id, getattr(instance, "_loaded_bank_id", None)})
    instance._loaded_bank_id = instance.bank_id


def question_deleted(sender, *, instance: Question, **kwargs) -> None:
    """post_delete of a Question (in the deletion's transaction, bulk deletes too)."""
    bank_questions_changed({instance.bank_id})


def _rule_key(rule) -> tuple:
    return (
        rule.bank_id,
        rule.bank.questions_version,
        rule.type,
        rule.category or "",
        rule.difficulty or "",
    )


def _rule_pools(rules) -> dict[tuple, array]:
    """The candidate ids of each rule, from the cache or, for the rules it lacks, one query."""
    global _candidates_size
    keys = {_rule_key(rule) for rule in rules}
    with _candidates_lock:
        pools = {key: _CANDIDATES[key] for key in keys if key in _CANDIDATES}
        for key in pools:
            _CANDIDATES.move_to_end(key)
    missing = keys - pools.keys()
    if not missing:
        return pools
    found: dict[tuple, list[int]] = {key: [] for key in missing}
    versions = {key[0]: key[1] for key in missing}
    rows = (
        Question.objects.filter(bank_id__in=versions)
        .order_by("id")
        .values_list("id", "bank_id", "type", "category", "difficulty")
    )
    for qid, bank_id, type_, category, difficulty in rows:
        version = versions[bank_id]
        for key in (
            (bank_id, version, type_, "", ""),
            (bank_id, version, type_, category, ""),
            (bank_id, version, type_, "", difficulty),
            (bank_id, version, type_, category, difficulty),
        ):
            pool = found.get(key)
            if pool is not None and (not pool or pool[-1] != qid):
                pool.append(qid)
    with _candidates_lock:
        for key, ids in found.items():
            pools[key] = pool = array("q", ids)
            _candidates_forget(key)
            _CANDIDATES[key] = pool
            _candidates_size += len(pool) + 1
        while _candidates_size > _CANDIDATES_MAX_IDS and len(_CANDIDATES) > 1:
            _candidates_forget(next(iter(_CANDIDATES)))
    return pools


def _candidates_forget(key) -> None:
    """Drop one cached pool (under _candidates_lock)."""
    global _candidates_size
    pool = _CANDIDATES.pop(key, None)
    if pool is not None:
        _candidates_size -= len(pool) + 1


# ---------------------------------------------------------------------------------------------
# The draw plan: a quiz's fixed questions and rules, read in the quiz's row.


@dataclass(frozen=True)
class DrawPlan:
    fixed: list[tuple[int, Decimal | None]]  # (question id, score or None for its own), in order
    rules: list[QuizDrawRule]  # with .bank (id, name, questions_version), in order


def draw_plan_annotations() -> dict:
    """Annotations of a Quiz queryset: its fixed questions and its rules (with their banks' name
    and questions_version) as two JSON arrays, so the quiz's row brings its whole draw plan."""
    fixed = (
        QuizQuestion.objects.filter(quiz=OuterRef("pk"))
        .order_by()
        .values("quiz")
        .annotate(
            items=JSONArrayAgg(
                JSONObject(
                    id="id",
                    sort="sort_order",
                    question="question_id",
                    score=Cast("score", CharField()),
                )
            )
        )
        .values("items")
    )
    rules = (
        QuizDrawRule.objects.filter(quiz=OuterRef("pk"))
        .order_by()
        .values("quiz")
        .annotate(
            items=JSONArrayAgg(
                JSONObject(
                    id="id",
                    sort="sort_order",
                    bank="bank_id",
                    bank_name="bank__name",
                    version="bank__questions_version",
                    type="type",
                    category="category",
                    difficulty="difficulty",
                    count="count",
                    score=Cast("score", CharField()),
                )
            )
        )
        .values("items")
    )
    return {
        "plan_fixed": Subquery(fixed, output_field=JSONField()),
        "plan_rules": Subquery(rules, output_field=JSONField()),
    }


_CENT = Decimal("0.01")  # QuizQuestion.score and QuizDrawRule.score: 2 decimal places


def _plan_score(text) -> Decimal | None:
    # Read as text (SQLite keeps 2.00 as 2): the same Decimal('2.00') as the ORM gives.
    return None if text is None else Decimal(str(text)).quantize(_CENT)


def draw_plan(quiz: Quiz, *, fresh: bool = False) -> DrawPlan:
    """The quiz's draw plan: from its row when it was read with draw_plan_annotations (as
    selectors.quiz_for_start does), else in one statement."""
    if not fresh and hasattr(quiz, "plan_rules"):
        fixed_items, rule_items = quiz.plan_fixed, quiz.plan_rules
    else:
        fixed_items, rule_items = (
            Quiz.objects.filter(pk=quiz.pk)
            .annotate(**draw_plan_annotations())
            .values_list("plan_fixed", "plan_rules")
            .first()
        ) or (None, None)
    fixed_items = sorted(fixed_items or [], key=lambda item: (item["sort"], item["id"]))
    rule_items = sorted(rule_items or [], key=lambda item: (item["sort"], item["id"]))
    rules = []
    for item in rule_items:
        rule = QuizDrawRule(
            id=item["id"],
            quiz_id=quiz.pk,
            sort_order=item["sort"],
            bank_id=item["bank"],
            type=item["type"],
            category=item["category"] or "",
            difficulty=item["difficulty"] or "",
            count=item["count"],
            score=_plan_score(item["score"]),
        )
        rule.bank = QuestionBank(
            id=item["bank"], name=item["bank_name"], questions_version=item["version"]
        )
        rules.append(rule)
    return DrawPlan(
        fixed=[(item["question"], _plan_score(item["score"])) for item in fixed_items],
        rules=rules,
    )


def _snapshot_rows_queryset(ids: str):
    """The chosen questions' _SNAPSHOT_FIELDS; `ids` is a JSON array of their ids (one parameter,
    so the statement is the same for any number of questions and compiled once: _SNAPSHOT_ROWS)."""
    if postgresql():
        chosen = RawSQL("SELECT jsonb_array_elements_text(%s::jsonb)::bigint", [ids])
    else:
        chosen = RawSQL("SELECT value FROM json_each(%s)", [ids])
    return Question.objects.filter(pk__in=chosen).values_list(*_SNAPSHOT_FIELDS)


_SNAPSHOT_ROWS = PreparedRead(_snapshot_rows_queryset, strs=("ids",))


def _snapshot_rows(ids) -> list[tuple]:
    """The _SNAPSHOT_FIELDS of the questions `ids`, as the ORM's values_list gives them, by a
    statement compiled once per database: building and compiling a 40-id query on every start
    was a tenth of its CPU (docs/performance.md, session 11)."""
    return _SNAPSHOT_ROWS.rows(ids=json.dumps([int(pk) for pk in ids]))


def _snapshot_question(row: tuple, *, score: Decimal, rng: random.Random, shuffle: bool) -> dict:
    """The question as this attempt sees it; options permuted and the key mapped to the shown letters."""
    qid, type_, stem, options, bank_answer, explanation, _score = row
    options = list(options or [])
    perm = list(range(len(options)))
    if shuffle and type_ in CHOICE_TYPES:
        rng.shuffle(perm)
    shown = [{"key": OPTION_KEYS[pos], "text": options[orig]} for pos, orig in enumerate(perm)]
    answer = key_as_shown(type_, bank_answer, perm)
    item = {
        "id": qid,
        "type": type_,
        "stem": stem,
        "options": shown,
        "perm": perm,
        "answer": answer,
        "explanation": explanation,
        "score": str(score),
    }
    if type_ == QuestionType.FILL:
        item["blanks"] = len(answer or []) or 1
    return item


def quiz_draw(*, quiz: Quiz, rng: random.Random | None = None, _fresh: bool = False) -> list[dict]:
    """The questions of a new attempt: fixed ones plus a random draw per rule, none twice.

    A constant number of queries whatever the rules: the draw plan (none when the quiz was read
    with it), the candidate ids of the rules not cached yet (all at once; none when every pool is
    cached), then the chosen rows, fixed and drawn together. The draw is the one a fresh read would
    give: each rule samples uniformly from its pool in id order, less the questions already drawn.
    """
    rng = rng or random.Random(secrets.randbits(64))
    plan = draw_plan(quiz, fresh=_fresh)
    chosen: list[tuple[int, Decimal | None]] = []
    seen: set[int] = set()
    for qid, score in plan.fixed:
        if qid not in seen:
            seen.add(qid)
            chosen.append((qid, score))
    if plan.rules:
        pools = _rule_pools(plan.rules)
        for rule in plan.rules:
            pool = pools[_rule_key(rule)]
            if seen and not seen.isdisjoint(pool):
                pool = [qid for qid in pool if qid not in seen]
            if len(pool) < rule.count:
                raise QuizNotAvailable(
                    _(
                        "题库中符合抽题规则（%(rule)s）的试题不足：需要 %(need)s 道，只有 %(have)s 道。"
                    )
                    % {"rule": str(rule), "need": rule.count, "have": len(pool)}
                )
            for qid in rng.sample(pool, rule.count):
                seen.add(qid)
                chosen.append((qid, rule.score))
    if not chosen:
        return []
    rows = {row[0]: row for row in _snapshot_rows(seen)}
    if len(rows) < len(chosen):
        # A drawn question deleted after its bank's pools were read (its bank's new version was
        # not committed yet; a fixed question cannot be deleted): forget those pools and draw
        # once more from a fresh read of the plan and the pools.
        if _fresh:
            raise QuizNotAvailable(_("题库刚刚被修改，请重新开始。"))
        with _candidates_lock:
            for rule in plan.rules:
                _candidates_forget(_rule_key(rule))
        return quiz_draw(quiz=quiz, rng=rng, _fresh=True)
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    return [
        _snapshot_question(
            rows[qid],
            score=Decimal(score if score is not None else rows[qid][6]),
            rng=rng,
            shuffle=quiz.shuffle_options,
        )
        for qid, score in chosen
    ]


def quiz_problems(*, quiz: Quiz) -> list[str]:
    """Why a quiz could not be started now (empty, rules the banks cannot satisfy); [] when fine."""
    try:
        questions = quiz_draw(quiz=quiz, rng=random.Random(0))
    except QuizNotAvailable as exc:
        return [str(exc.message)]
    if not questions:
        return [_("没有试题：请添加固定试题或抽题规则。")]
    return []
