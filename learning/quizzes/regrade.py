"""Regrading a quiz's attempts (Moodle's "regrade after fixing a question"): replay grading from
each attempt's snapshot with today's pass mark, optionally after copying a corrected bank key
into the snapshots; then the exam's 学时 follow the new results. Dry runs change nothing and
say what would change. The reports layer flags certificates (signals.quiz_regraded)."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from learning.classes.models import TraineeProfile
from learning.progress.models import HoursLedgerEntry, LedgerSource
from learning.progress.services import ledger_correction_add
from learning.quizzes import grading
from learning.quizzes.exceptions import InvalidAnswer, UnknownQuestion
from learning.quizzes.keys import corrected_key, key_as_bank, snapshot_perm
from learning.quizzes.models import (
    Attempt,
    AttemptAnswer,
    AttemptState,
    Question,
    QuestionType,
    Quiz,
    RegradeKind,
    RegradeLog,
)
from learning.quizzes.scoring import (
    after_graded,
    attempt_grade,
    attempt_grade_save,
    locked_attempt,
    pass_mark_for,
)
from learning.quizzes.signals import quiz_regraded

# What a regrade changes on a finished attempt.
REGRADE_FIELDS = ["questions", "state", "graded_at", "score", "percent", "passed"]


def attempt_regrade(*, attempt_id: int) -> Attempt:
    """Replay grading of a finished attempt from its snapshot (e.g. after a changed setting)."""
    now = timezone.now()
    with transaction.atomic():
        attempt = locked_attempt(attempt_id=attempt_id)
        if attempt.state == AttemptState.IN_PROGRESS:
            return attempt
        attempt_grade_save(attempt, now=now)
    return attempt


@dataclass
class RegradeChange:
    """One attempt whose score, state or result a regrade changes."""

    attempt_id: int
    user_id: int
    trainee: str
    number: int
    old_score: Decimal | None
    new_score: Decimal | None
    max_score: Decimal
    old_passed: bool | None
    new_passed: bool | None

    @property
    def pass_to_fail(self) -> bool:
        return self.old_passed is True and self.new_passed is not True

    @property
    def fail_to_pass(self) -> bool:
        return self.old_passed is not True and self.new_passed is True


@dataclass
class RegradeSummary:
    """What a regrade changed (or, for a dry run, would change)."""

    quiz_id: int
    question_id: int | None
    dry_run: bool
    attempts_checked: int = 0
    attempts_rekeyed: int = 0
    in_progress_rekeyed: int = 0
    # Attempts whose snapshot cannot take the new key (type or number of options changed).
    unmappable: list[int] | None = None
    changes: list[RegradeChange] | None = None
    hours_removed: list[dict] | None = None
    hours_credited: list[dict] | None = None
    certificates_to_review: list[dict] | None = None
    old_keys: list | None = None
    new_key: object = None
    log_id: int | None = None

    def __post_init__(self):
        for name in (
            "unmappable",
            "changes",
            "hours_removed",
            "hours_credited",
            "certificates_to_review",
            "old_keys",
        ):
            if getattr(self, name) is None:
                setattr(self, name, [])

    @property
    def score_changed(self) -> list[RegradeChange]:
        return [c for c in self.changes if c.old_score != c.new_score]

    @property
    def pass_to_fail(self) -> list[RegradeChange]:
        return [c for c in self.changes if c.pass_to_fail]

    @property
    def fail_to_pass(self) -> list[RegradeChange]:
        return [c for c in self.changes if c.fail_to_pass]

    def as_dict(self) -> dict:
        """Plain JSON for the audit log."""
        return {
            "attempts_checked": self.attempts_checked,
            "attempts_rekeyed": self.attempts_rekeyed,
            "in_progress_rekeyed": self.in_progress_rekeyed,
            "unmappable": self.unmappable,
            "changes": [
                {
                    "attempt": c.attempt_id,
                    "user": c.user_id,
                    "trainee": c.trainee,
                    "number": c.number,
                    "old_score": None if c.old_score is None else str(c.old_score),
                    "new_score": None if c.new_score is None else str(c.new_score),
                    "max_score": str(c.max_score),
                    "old_passed": c.old_passed,
                    "new_passed": c.new_passed,
                }
                for c in self.changes
            ],
            "hours_removed": self.hours_removed,
            "hours_credited": self.hours_credited,
            "certificates_to_review": self.certificates_to_review,
        }


@dataclass
class _OldKeys:
    """The keys the attempts held before a rekey, each once, in the bank's letters and as text."""

    keys: list = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def add(self, type_: str, key) -> None:
        if key not in self.keys:
            self.keys.append(key)
            self.texts.append(grading.display_answer({"type": type_, "answer": key}))


def _trainee_names(user_ids) -> dict[int, str]:
    names = dict(TraineeProfile.objects.filter(user_id__in=user_ids).values_list("user_id", "name"))
    for user in get_user_model().objects.filter(pk__in=set(user_ids) - set(names)):
        names[user.pk] = user.get_full_name() or user.get_username()
    return names


def _exam_credit_entries(*, quiz: Quiz, user_ids) -> dict[int, tuple]:
    """Per user: (their exam-credit entry of the quiz's class, its net amount after corrections)."""
    if not quiz.training_class_id or not user_ids:
        return {}
    entries = HoursLedgerEntry.objects.filter(
        training_class_id=quiz.training_class_id, source=LedgerSource.EXAM, user_id__in=user_ids
    ).annotate(corrected=Sum("corrections__amount"))
    return {e.user_id: (e, e.amount + (e.corrected or Decimal("0"))) for e in entries}


def _credit_from_this_quiz(entry, attempt_ids: set[int]) -> bool:
    """Whether an exam credit was granted for an attempt of this quiz (not another exam of the class)."""
    prefix, _sep, number = (entry.reference or "").partition(":")
    return prefix == "quiz-attempt" and number.isdigit() and int(number) in attempt_ids


def _attempts_of(*, quiz: Quiz, lock: bool) -> list[Attempt]:
    """Every attempt of the quiz, in id order; locked unless a dry run: answer saves and submits
    lock one attempt each, so they wait for the regrade instead of grading against a
    half-updated key."""
    qs = Attempt.objects.filter(quiz_id=quiz.pk).order_by("id")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return list(qs)


def _answers_by_attempt(*, quiz: Quiz) -> dict[int, list[AttemptAnswer]]:
    answers: dict[int, list[AttemptAnswer]] = {}
    for row in AttemptAnswer.objects.filter(attempt__quiz_id=quiz.pk):
        answers.setdefault(row.attempt_id, []).append(row)
    return answers


def _rekey(attempt: Attempt, question: Question, summary: "RegradeSummary", old: _OldKeys) -> bool:
    """Copy the bank question's corrected key into the attempt's snapshot; True if it changed."""
    rekeyed = False
    for item in attempt.questions:
        if item["id"] != question.pk:
            continue
        old.add(item["type"], key_as_bank(item["type"], item.get("answer"), snapshot_perm(item)))
        new = corrected_key(question, item)
        if new is None:
            summary.unmappable.append(attempt.pk)
        elif new != item.get("answer"):
            item["answer"] = new
            if item["type"] == QuestionType.FILL:
                item["blanks"] = len(new or []) or 1
            rekeyed = True
    return rekeyed


def _regrade_attempt(
    attempt: Attempt,
    answers: list[AttemptAnswer],
    *,
    now: datetime,
    rekeyed: bool,
    summary: "RegradeSummary",
    names: dict[int, str],
) -> None:
    """Grade one attempt again and note what changed; saved unless a dry run."""
    if attempt.state == AttemptState.IN_PROGRESS:
        # Graded later from its own snapshot: give it the corrected key now.
        if rekeyed:
            summary.in_progress_rekeyed += 1
            if not summary.dry_run:
                attempt.save(update_fields=["questions"])
        return
    summary.attempts_checked += 1
    summary.attempts_rekeyed += int(rekeyed)
    before = (attempt.score, attempt.passed, attempt.state)
    changed_rows = attempt_grade(attempt, answers, now)
    after = (attempt.score, attempt.passed, attempt.state)
    if before != after:
        summary.changes.append(
            RegradeChange(
                attempt_id=attempt.pk,
                user_id=attempt.user_id,
                trainee=names.get(attempt.user_id, ""),
                number=attempt.number,
                old_score=before[0],
                new_score=after[0],
                max_score=attempt.max_score,
                old_passed=before[1],
                new_passed=after[1],
            )
        )
    if summary.dry_run or not (rekeyed or changed_rows or before != after):
        return
    if changed_rows:
        AttemptAnswer.objects.bulk_update(changed_rows, ["awarded"])
    attempt.save(update_fields=REGRADE_FIELDS)
    if attempt.state == AttemptState.GRADED and attempt.passed and not before[1]:
        after_graded(attempt)


def _exam_hours_follow(
    *, quiz: Quiz, by, attempts: list[Attempt], summary: "RegradeSummary", names: dict[int, str]
) -> None:
    """学时 of the trainees whose result a regrade flips.

    A trainee keeps the exam's 学时 while any graded attempt of the quiz still passes (the credit
    is granted by any passed attempt). The ledger only grows: credits are taken back and
    restored by corrections of the original entry.
    """
    lost = {c.user_id for c in summary.pass_to_fail}
    gained = {c.user_id for c in summary.fail_to_pass}
    if not (lost or gained) or not quiz.training_class_id:
        return
    passing = {a.user_id for a in attempts if a.state == AttemptState.GRADED and a.passed}
    attempt_ids = {a.pk for a in attempts}
    credits = _exam_credit_entries(quiz=quiz, user_ids=lost | gained)
    for user_id in sorted(lost | gained):
        entry, net = credits.get(user_id, (None, Decimal("0")))
        credited_here = entry is not None and _credit_from_this_quiz(entry, attempt_ids)
        trainee = names.get(user_id, "")
        if user_id in lost and user_id not in passing and credited_here and net > 0:
            _hours_remove(quiz=quiz, by=by, entry=entry, net=net, summary=summary, trainee=trainee)
        if user_id in gained and user_id in passing and quiz.class_hours_credit:
            if entry is None:
                # Credited after commit by the usual once-per-class path (scoring.after_graded).
                summary.hours_credited.append(
                    {"user": user_id, "trainee": trainee, "amount": str(quiz.class_hours_credit)}
                )
            elif net <= 0 and credited_here:
                # An earlier regrade took the credit away: restore it.
                _hours_restore(
                    quiz=quiz, by=by, entry=entry, net=net, summary=summary, trainee=trainee
                )


def _hours_remove(*, quiz: Quiz, by, entry, net: Decimal, summary, trainee: str) -> None:
    summary.hours_removed.append({"user": entry.user_id, "trainee": trainee, "amount": str(net)})
    if not summary.dry_run:
        ledger_correction_add(
            entry=entry,
            amount=-net,
            granted_by=by,
            note=_("重新评分后未通过考试「%(quiz)s」，扣除该考试计入的学时。")
            % {"quiz": quiz.title},
        )


def _hours_restore(*, quiz: Quiz, by, entry, net: Decimal, summary, trainee: str) -> None:
    summary.hours_credited.append(
        {"user": entry.user_id, "trainee": trainee, "amount": str(-net + entry.amount)}
    )
    if not summary.dry_run:
        ledger_correction_add(
            entry=entry,
            amount=entry.amount - net,
            granted_by=by,
            note=_("重新评分后通过考试「%(quiz)s」，恢复该考试计入的学时。") % {"quiz": quiz.title},
        )


def _regrade_log(
    *, quiz: Quiz, question: Question | None, by, now: datetime, summary, old: _OldKeys
) -> RegradeLog:
    return RegradeLog.objects.create(
        quiz=quiz,
        kind=RegradeKind.REKEY if question is not None else RegradeKind.REGRADE,
        question_id=summary.question_id,
        old_keys=old.keys,
        new_key=summary.new_key,
        pass_mark=pass_mark_for(quiz),
        by=by,
        created_at=now,
        attempts_rekeyed=summary.attempts_rekeyed + summary.in_progress_rekeyed,
        attempts_changed=len(summary.changes),
        details={
            **summary.as_dict(),
            # As a person reads them (A、C / 正确), for the log on the analysis page.
            "old_keys_text": old.texts,
            "new_key_text": grading.display_answer(
                {"type": question.type, "answer": question.answer}
            )
            if question is not None
            else "",
        },
    )


def _regrade(*, quiz: Quiz, by, dry_run: bool, question: Question | None) -> "RegradeSummary":
    now = timezone.now()
    summary = RegradeSummary(
        quiz_id=quiz.pk, question_id=question.pk if question else None, dry_run=dry_run
    )
    if question is not None:
        summary.new_key = question.answer
    old = _OldKeys()
    with transaction.atomic():
        attempts = _attempts_of(quiz=quiz, lock=not dry_run)
        # The pass mark as it is now (the class's for its 结业考试 and 补考).
        quiz = Quiz.objects.select_related("training_class").get(pk=quiz.pk)
        answers = _answers_by_attempt(quiz=quiz)
        names = _trainee_names({a.user_id for a in attempts})
        for attempt in attempts:
            attempt.quiz = quiz
            rekeyed = question is not None and _rekey(attempt, question, summary, old)
            _regrade_attempt(
                attempt,
                answers.get(attempt.pk, []),
                now=now,
                rekeyed=rekeyed,
                summary=summary,
                names=names,
            )
        summary.old_keys = old.keys
        _exam_hours_follow(quiz=quiz, by=by, attempts=attempts, summary=summary, names=names)
        quiz_regraded.send(sender=Quiz, quiz=quiz, by=by, attempts=attempts, summary=summary)
        if not dry_run:
            log = _regrade_log(
                quiz=quiz, question=question, by=by, now=now, summary=summary, old=old
            )
            summary.log_id = log.pk
    return summary


def quiz_regrade(*, quiz: Quiz, by, dry_run: bool = False) -> RegradeSummary:
    """Regrade every finished attempt of a quiz from its snapshot with today's pass mark."""
    return _regrade(quiz=quiz, by=by, dry_run=dry_run, question=None)


def quiz_question_rekey(
    *, quiz: Quiz, question_id: int, by, dry_run: bool = False
) -> RegradeSummary:
    """Copy a bank question's corrected key into every attempt of the quiz, then regrade.

    Finished attempts are regraded at once; attempts in progress get the key in their snapshot
    and are graded with it when handed in. Only the key changes: stems, options and scores stay
    as the trainee saw them.
    """
    question = Question.objects.filter(pk=question_id).first()
    if question is None:
        raise UnknownQuestion(_("题库中已没有这道题。"))
    if question.type == QuestionType.SHORT:
        raise InvalidAnswer(_("简答题由人工阅卷，不能按答案重新评分。"))
    return _regrade(quiz=quiz, by=by, dry_run=dry_run, question=question)


def class_pass_mark_follow(*, training_class, by, **kwargs) -> list[RegradeSummary]:
    """A class's 及格分 changed: its 结业考试 and 补考 take the new value and are regraded with it
    (results, exam 学时 and certificates to review follow as in any regrade)."""
    summaries = []
    exams = Quiz.objects.filter(training_class=training_class).filter(
        Q(is_final_exam=True) | Q(makeup_of__isnull=False)
    )
    for quiz in exams:
        Quiz.objects.filter(pk=quiz.pk).update(pass_mark=training_class.pass_mark)
        summaries.append(quiz_regrade(quiz=quiz, by=by))
    return summaries
