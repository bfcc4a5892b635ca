"""Regrading after a question's key is fixed in the bank, and after a quiz's pass mark changes."""

import random
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission

from cms.roles import TRAINERS
from learning.progress.models import HoursLedgerEntry, LedgerSource
from learning.quizzes import selectors, services
from learning.quizzes.models import (
    CHOICE_TYPES,
    Attempt,
    AttemptAnswer,
    AttemptState,
    Question,
    QuestionBank,
    QuestionType,
    RegradeLog,
)
from learning.reports.models import Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions():
    """Four questions whose keys are wrong: the bank will be corrected in the tests."""
    bank = QuestionBank.objects.create(name="重评题库")
    make = Question.objects.create
    return {
        "single": make(
            bank=bank,
            type=QuestionType.SINGLE,
            stem="中国共产党第一次全国代表大会在哪里开幕？",
            options=["北京", "广州", "上海", "武汉"],
            answer="B",  # wrong: C
            score=Decimal("2"),
        ),
        "multiple": make(
            bank=bank,
            type=QuestionType.MULTIPLE,
            stem="下列属于党的纪律的有？",
            options=["政治纪律", "组织纪律", "娱乐纪律", "廉洁纪律"],
            answer=["A", "B", "C"],  # wrong: A, B, D
            score=Decimal("3"),
        ),
        "true_false": make(
            bank=bank,
            type=QuestionType.TRUE_FALSE,
            stem="预备党员的预备期为两年。",
            answer=True,  # wrong: one year
            score=Decimal("1"),
        ),
        "fill": make(
            bank=bank,
            type=QuestionType.FILL,
            stem="党的最高理想和最终目标是实现（ ）。",
            answer=[["社会主义"]],  # wrong: 共产主义
            score=Decimal("2"),
        ),
    }


CORRECT = {"single": "C", "multiple": ["A", "B", "D"], "true_false": False, "fill": [["共产主义"]]}
WRONG = {"single": "B", "multiple": ["A", "B", "C"], "true_false": True, "fill": [["社会主义"]]}


def _fix_bank(questions) -> None:
    for name, question in questions.items():
        question.answer = CORRECT[name]
        question.save()


def _shuffled_snapshot(quiz) -> list[dict]:
    """A real draw whose choice questions are all shown in a non-identity order (fixed seed)."""
    for seed in range(1000):
        drawn = services.quiz_draw(quiz=quiz, rng=random.Random(seed))
        perms = [q["perm"] for q in drawn if q["type"] in CHOICE_TYPES]
        if all(p != sorted(p) for p in perms):
            return drawn
    raise AssertionError("no shuffled draw")


def _response(item: dict, bank_key):
    """What a trainee who means `bank_key` (bank letters) submits, in the letters they see."""
    if item["type"] == QuestionType.FILL:
        return [blank[0] for blank in bank_key]
    return services.key_as_shown(item["type"], bank_key, item["perm"])


def _sit(quiz, user, keys: dict, questions, *, submit=True, capture=None) -> Attempt:
    attempt, _created = services.attempt_start(quiz=quiz, user=user)
    Attempt.objects.filter(pk=attempt.pk).update(questions=_shuffled_snapshot(quiz))
    attempt.refresh_from_db()
    ids = {q.pk: name for name, q in questions.items()}
    for item in attempt.questions:
        name = ids.get(item["id"])
        if name in keys:
            services.attempt_answer_save(
                attempt_id=attempt.pk,
                user=user,
                question_id=item["id"],
                answer=_response(item, keys[name]),
            )
    if submit:
        if capture is not None:
            with capture(execute=True):
                services.attempt_submit(attempt_id=attempt.pk, user=user)
        else:
            services.attempt_submit(attempt_id=attempt.pk, user=user)
    attempt.refresh_from_db()
    return attempt


def _rekey_all(quiz, questions, by, *, dry_run=False):
    return [
        services.quiz_question_rekey(quiz=quiz, question_id=q.pk, by=by, dry_run=dry_run)
        for q in questions.values()
    ]


@pytest.fixture
def trainer(quiz_user_factory):
    user = quiz_user_factory("regrade-trainer")
    user.groups.add(Group.objects.get(name=TRAINERS))
    return user


@pytest.fixture
def people(quiz_user_factory):
    return quiz_user_factory("right"), quiz_user_factory("wrong")


@pytest.fixture
def exam(quiz_exam_factory, quiz_class_factory, questions, people, trainer):
    klass = quiz_class_factory(trainees=people, trainers=[trainer])
    return quiz_exam_factory(
        klass,
        fixed=list(questions.values()),
        pass_mark=Decimal("80"),  # losing one 2-point question of 8 fails
        is_final_exam=False,  # its own pass mark (a 结业考试 uses the class's)
        shuffle_options=True,
        class_hours_credit=Decimal("0.5"),
    )


def test_a_corrected_key_regrades_shuffled_choices_true_false_and_fill(
    exam, questions, people, trainer
):
    right, wrong = people
    a = _sit(exam, right, CORRECT, questions)
    b = _sit(exam, wrong, WRONG, questions)
    assert (a.score, a.passed) == (Decimal("0.00"), False)
    assert (b.score, b.passed) == (Decimal("8.00"), True)
    # The trainees saw the options in another order, so their letters differ from the bank's.
    for attempt in (a, b):
        for item in attempt.questions:
            if item["type"] in CHOICE_TYPES:
                assert item["perm"] != sorted(item["perm"])
    _fix_bank(questions)
    changes = selectors.quiz_key_changes(quiz=exam)
    assert set(changes) == {q.pk for q in questions.values()}
    assert changes[questions["single"].pk]["attempts"] == 2
    assert changes[questions["single"].pk]["snapshot"] == ["B"]
    assert changes[questions["single"].pk]["current"] == "C"

    summaries = _rekey_all(exam, questions, trainer)

    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.score, a.passed) == (Decimal("8.00"), True)
    assert (b.score, b.passed) == (Decimal("0.00"), False)
    for attempt in (a, b):
        for item in attempt.questions:
            name = next(n for n, q in questions.items() if q.pk == item["id"])
            assert item["answer"] == services.key_as_shown(
                item["type"], CORRECT[name], item["perm"]
            )
    awarded = dict(AttemptAnswer.objects.filter(attempt=a).values_list("question_id", "awarded"))
    assert awarded == {
        questions["single"].pk: Decimal("2.00"),
        questions["multiple"].pk: Decimal("3.00"),
        questions["true_false"].pk: Decimal("1.00"),
        questions["fill"].pk: Decimal("2.00"),
    }
    assert selectors.quiz_key_changes(quiz=exam) == {}
    assert sum(s.attempts_rekeyed for s in summaries) == 8
    log = RegradeLog.objects.filter(quiz=exam, question_id=questions["single"].pk).get()
    assert log.by == trainer and log.kind == "rekey"
    assert log.old_keys == ["B"] and log.new_key == "C" and log.attempts_rekeyed == 2


def test_a_dry_run_changes_nothing(exam, questions, people, trainer):
    right, wrong = people
    a = _sit(exam, right, CORRECT, questions)
    b = _sit(exam, wrong, WRONG, questions)
    _fix_bank(questions)
    before = {x.pk: (x.questions, x.score, x.passed, x.graded_at) for x in (a, b)}
    summary = services.quiz_question_rekey(
        quiz=exam, question_id=questions["single"].pk, by=trainer, dry_run=True
    )
    assert summary.dry_run and summary.attempts_rekeyed == 2
    assert {c.attempt_id for c in summary.score_changed} == {a.pk, b.pk}
    after = {
        x.pk: (x.questions, x.score, x.passed, x.graded_at)
        for x in Attempt.objects.filter(quiz=exam)
    }
    assert after == before
    assert not RegradeLog.objects.exists()
    assert len(selectors.quiz_key_changes(quiz=exam)) == 4
    preview = services.quiz_regrade(quiz=exam, by=trainer, dry_run=True)
    assert preview.changes == [] and not RegradeLog.objects.exists()


def test_pass_to_fail_removes_exam_hours_and_lists_certificates_fail_to_pass_credits(
    exam, questions, people, trainer, django_capture_on_commit_callbacks
):
    right, wrong = people
    capture = django_capture_on_commit_callbacks
    _sit(exam, right, CORRECT, questions, capture=capture)
    _sit(exam, wrong, WRONG, questions, capture=capture)
    credit = HoursLedgerEntry.objects.get(user=wrong, source=LedgerSource.EXAM)
    assert credit.amount == Decimal("0.50")
    assert not HoursLedgerEntry.objects.filter(user=right).exists()
    certificate = Certificate.objects.create(
        number="DK2026TESTREGRADE",
        trainee=wrong.trainee_profile,
        training_class=exam.training_class,
        trainee_name="wrong",
        class_name=str(exam.training_class),
        earned_hours=Decimal("40"),
    )
    _fix_bank(questions)

    preview = services.quiz_question_rekey(
        quiz=exam, question_id=questions["single"].pk, by=trainer, dry_run=True
    )
    assert [c.trainee for c in preview.pass_to_fail] == ["wrong"]
    assert [c.trainee for c in preview.fail_to_pass] == []  # 2 of 8 is not enough for `right`
    assert preview.hours_removed == [{"user": wrong.pk, "trainee": "wrong", "amount": "0.50"}]
    assert HoursLedgerEntry.objects.filter(source=LedgerSource.CORRECTION).count() == 0

    with capture(execute=True):
        summaries = _rekey_all(exam, questions, trainer)
    lost = [c for s in summaries for c in s.pass_to_fail]
    gained = [c for s in summaries for c in s.fail_to_pass]
    assert [c.user_id for c in lost] == [wrong.pk] and len(gained) == 1
    correction = HoursLedgerEntry.objects.get(user=wrong, source=LedgerSource.CORRECTION)
    assert correction.amount == Decimal("-0.50") and correction.corrects == credit
    assert correction.granted_by == trainer and "重新评分" in correction.note
    assert exam.title in correction.note
    review = [r for s in summaries for r in s.certificates_to_review]
    assert review == [{"user": wrong.pk, "trainee": "wrong", "certificate": certificate.number}]
    certificate.refresh_from_db()
    assert certificate.revoked_at is None  # flagged for review, never revoked here
    # The newly passed trainee is credited through the usual once-per-class path.
    gained_credit = HoursLedgerEntry.objects.get(user=right, source=LedgerSource.EXAM)
    assert gained_credit.amount == Decimal("0.50")
    assert gained_credit.reference == f"quiz-attempt:{gained[0].attempt_id}"

    # Re-running changes nothing: no score, no ledger entry, no certificate flag.
    ledger = HoursLedgerEntry.objects.count()
    with capture(execute=True):
        again = _rekey_all(exam, questions, trainer)
    again.append(services.quiz_regrade(quiz=exam, by=trainer))
    assert all(not s.changes and not s.hours_removed and not s.attempts_rekeyed for s in again)
    assert all(not s.certificates_to_review for s in again)
    assert HoursLedgerEntry.objects.count() == ledger

    # The trainer got it wrong after all: putting the old key back restores the removed 学时.
    for name, question in questions.items():
        question.answer = WRONG[name]
        question.save()
    with capture(execute=True):
        _rekey_all(exam, questions, trainer)
    restored = HoursLedgerEntry.objects.filter(user=wrong, corrects=credit).order_by("id")
    assert [e.amount for e in restored] == [Decimal("-0.50"), Decimal("0.50")]
    # `right` fails again, and loses the credit the regrade gave them.
    right_net = sum(e.amount for e in HoursLedgerEntry.objects.filter(user=right))
    assert right_net == Decimal("0.00")


def test_hours_stay_while_another_attempt_still_passes(
    exam, questions, people, trainer, django_capture_on_commit_callbacks
):
    _right, wrong = people
    capture = django_capture_on_commit_callbacks
    _sit(exam, wrong, WRONG, questions, capture=capture)
    # The second attempt fails now (6 of 8) and passes once the single choice is fixed.
    _sit(exam, wrong, {**WRONG, "single": "C"}, questions, capture=capture)
    single = questions["single"]
    single.answer = "C"
    single.save()
    with capture(execute=True):
        summary = services.quiz_question_rekey(quiz=exam, question_id=single.pk, by=trainer)
    assert [c.number for c in summary.pass_to_fail] == [1]
    assert [c.number for c in summary.fail_to_pass] == [2]
    assert not summary.hours_removed and not summary.hours_credited
    assert not HoursLedgerEntry.objects.filter(source=LedgerSource.CORRECTION).exists()


def test_an_attempt_in_progress_gets_the_corrected_key_and_is_graded_with_it(
    exam, questions, people, trainer
):
    right, _wrong = people
    attempt = _sit(exam, right, CORRECT, questions, submit=False)
    _fix_bank(questions)
    summaries = _rekey_all(exam, questions, trainer)
    assert sum(s.in_progress_rekeyed for s in summaries) == 4
    assert all(not s.changes for s in summaries)
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS and attempt.score is None
    services.attempt_submit(attempt_id=attempt.pk, user=right)
    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed) == (Decimal("8.00"), True)


def test_regrade_all_applies_a_new_pass_mark_and_keeps_manual_grades(
    quiz_exam_factory, quiz_class_factory, quiz_user_factory, quiz_bank, trainer
):
    user = quiz_user_factory()
    single = quiz_bank.questions.filter(type="single").first()  # 2 points
    short = quiz_bank.questions.filter(type="short").first()  # 10 points
    exam = quiz_exam_factory(
        quiz_class_factory(trainees=[user], trainers=[trainer]),
        fixed=[single, short],
        pass_mark=Decimal("60"),
        is_final_exam=False,  # its own pass mark (a 结业考试 uses the class's)
        shuffle_options=False,
    )
    attempt, _ = services.attempt_start(quiz=exam, user=user)
    services.attempt_answer_save(
        attempt_id=attempt.pk, user=user, question_id=single.pk, answer="B"
    )
    services.attempt_answer_save(
        attempt_id=attempt.pk, user=user, question_id=short.pk, answer="我的认识"
    )
    services.attempt_submit(attempt_id=attempt.pk, user=user)
    services.answer_grade(
        attempt_id=attempt.pk, question_id=short.pk, grader=trainer, awarded=Decimal("7")
    )
    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed) == (Decimal("9.00"), True)  # 75 of 100
    exam.pass_mark = Decimal("80")
    exam.save()
    summary = services.quiz_regrade(quiz=exam, by=trainer)
    assert [c.attempt_id for c in summary.pass_to_fail] == [attempt.pk]
    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed) == (Decimal("9.00"), False)
    assert AttemptAnswer.objects.get(attempt=attempt, question_id=short.pk).awarded == Decimal(
        "7.00"
    )
    log = RegradeLog.objects.get(quiz=exam)
    assert log.kind == "regrade" and log.pass_mark == Decimal("80.00")
    assert log.question_id is None and log.attempts_changed == 1
    assert log.details["changes"][0]["old_passed"] is True


def test_a_changed_number_of_options_is_not_guessed(exam, questions, people, trainer):
    right, _wrong = people
    a = _sit(exam, right, CORRECT, questions)
    single = questions["single"]
    single.options = [*single.options, "南京"]
    single.answer = "C"
    single.save()
    summary = services.quiz_question_rekey(quiz=exam, question_id=single.pk, by=trainer)
    assert summary.unmappable == [a.pk] and not summary.changes
    assert selectors.quiz_key_changes(quiz=exam)[single.pk]["unmappable"] == 1


# --- admin pages -------------------------------------------------------------------------------


def test_the_analysis_page_offers_a_preview_then_applies_and_shows_the_log(
    client, exam, questions, people, trainer, django_capture_on_commit_callbacks
):
    right, wrong = people
    _sit(exam, right, CORRECT, questions)
    _sit(exam, wrong, WRONG, questions)
    _fix_bank(questions)
    client.force_login(trainer)
    analysis = f"/admin/quiz_grading/quizzes/{exam.pk}/analysis/"
    single = questions["single"].pk
    rekey = f"/admin/quiz_grading/quizzes/{exam.pk}/questions/{single}/rekey/"
    html = client.get(analysis).content.decode()
    assert rekey in html and "按题库当前答案重新评分" in html
    assert f"/admin/quiz_grading/quizzes/{exam.pk}/regrade/" in html
    preview = client.get(rekey)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "通过 → 未通过" in page and "wrong" in page and "确认重新评分" in page
    assert not RegradeLog.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(rekey)
    assert done.status_code == 302 and done["Location"] == analysis
    assert RegradeLog.objects.filter(quiz=exam, question_id=single).count() == 1
    html = client.get(analysis).content.decode()
    assert "重新评分记录" in html and "B → C" in html and rekey not in html
    all_preview = client.get(f"/admin/quiz_grading/quizzes/{exam.pk}/regrade/")
    assert all_preview.status_code == 200 and "重新评分全部答卷" in all_preview.content.decode()


def test_other_trainers_and_users_without_permission_cannot_regrade(
    client, exam, questions, people, trainer, quiz_user_factory
):
    right, _wrong = people
    attempt = _sit(exam, right, CORRECT, questions)
    _fix_bank(questions)
    single = questions["single"].pk
    urls = [
        f"/admin/quiz_grading/quizzes/{exam.pk}/questions/{single}/rekey/",
        f"/admin/quiz_grading/quizzes/{exam.pk}/regrade/",
    ]
    stranger = quiz_user_factory("other-trainer")
    stranger.groups.add(Group.objects.get(name=TRAINERS))
    client.force_login(stranger)
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    viewer = quiz_user_factory("viewer", is_superuser=False)
    viewer.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_quiz"),
        Permission.objects.get(codename="view_all_classes"),
    )
    client.force_login(viewer)
    html = client.get(f"/admin/quiz_grading/quizzes/{exam.pk}/analysis/").content.decode()
    assert "按题库当前答案重新评分" not in html
    # Wagtail answers PermissionDenied in the admin with a redirect to the dashboard.
    for url in urls:
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302 and response["Location"] == "/admin/"
    attempt.refresh_from_db()
    assert attempt.score == Decimal("0.00") and not RegradeLog.objects.exists()
