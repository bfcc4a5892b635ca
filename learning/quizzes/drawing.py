"""Drawing a new attempt's questions: fixed ones plus a random draw per rule, each snapshotted
with its options (maybe shuffled) and its key in the letters the trainee sees."""

import random
import secrets
from decimal import Decimal

from django.utils.translation import gettext as _

from learning.quizzes.exceptions import QuizNotAvailable
from learning.quizzes.keys import key_as_shown
from learning.quizzes.models import CHOICE_TYPES, OPTION_KEYS, Question, QuestionType, Quiz


def _snapshot_question(
    question: Question, *, score: Decimal, rng: random.Random, shuffle: bool
) -> dict:
    """The question as this attempt sees it; options permuted and the key mapped to the shown letters."""
    options = list(question.options or [])
    perm = list(range(len(options)))
    if shuffle and question.type in CHOICE_TYPES:
        rng.shuffle(perm)
    shown = [{"key": OPTION_KEYS[pos], "text": options[orig]} for pos, orig in enumerate(perm)]
    answer = key_as_shown(question.type, question.answer, perm)
    item = {
        "id": question.pk,
        "type": question.type,
        "stem": question.stem,
        "options": shown,
        "perm": perm,
        "answer": answer,
        "explanation": question.explanation,
        "score": str(score),
    }
    if question.type == QuestionType.FILL:
        item["blanks"] = len(answer or []) or 1
    return item


def quiz_draw(*, quiz: Quiz, rng: random.Random | None = None) -> list[dict]:
    """The questions of a new attempt: fixed ones plus a random draw per rule, none twice.

    A constant number of queries whatever the rules: fixed questions, rules, the candidate ids of
    all rules at once, then the chosen rows.
    """
    rng = rng or random.Random(secrets.randbits(64))
    fixed = list(quiz.fixed_questions.select_related("question").order_by("sort_order", "id"))
    chosen: list[tuple[int, Decimal]] = []
    seen: set[int] = set()
    rows: dict[int, Question] = {}
    for item in fixed:
        if item.question_id in seen:
            continue
        seen.add(item.question_id)
        rows[item.question_id] = item.question
        chosen.append(
            (item.question_id, item.score if item.score is not None else item.question.score)
        )
    rules = list(quiz.draw_rules.all().order_by("sort_order", "id"))
    if rules:
        banks = {rule.bank_id for rule in rules}
        candidates = list(
            Question.objects.filter(bank_id__in=banks)
            .order_by("id")
            .values_list("id", "bank_id", "type", "category", "difficulty")
        )
        for rule in rules:
            pool = [
                qid
                for qid, bank_id, type_, category, difficulty in candidates
                if bank_id == rule.bank_id
                and type_ == rule.type
                and (not rule.category or category == rule.category)
                and (not rule.difficulty or difficulty == rule.difficulty)
                and qid not in seen
            ]
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
        missing = [qid for qid, _score in chosen if qid not in rows]
        rows.update(Question.objects.in_bulk(missing))
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    return [
        _snapshot_question(rows[qid], score=Decimal(score), rng=rng, shuffle=quiz.shuffle_options)
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
