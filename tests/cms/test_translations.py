"""The English catalogue is complete and compiled, and the site and admin speak English once chosen."""

import ast
import gettext
import re
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.test import override_settings
from django.utils import timezone, translation

from cms.demo import demo_accounts_ensure
from learning.classes.demo import DEMO_CLASSES, demo_classes_ensure, demo_intake
from learning.classes.models import TrainingClass
from learning.quizzes import grading
from learning.quizzes.templatetags.quiz_tags import answer_text

CATALOGUE = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES"
CJK = re.compile(r"[\u4e00-\u9fff]")
# %(name)s, %s, %d, {name} and the escaped percent sign must survive translation unchanged.
PLACEHOLDER = re.compile(r"%%|%\(\w+\)[sdf]|%[sdf]|\{\w*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    locations: list[str] = field(default_factory=list)


def read_po(path) -> list[Entry]:
    """Entries of a .po file, the header first; enough of the format for Django's catalogues.

    An entry ends at a blank line or where the next one's comment, msgctxt or msgid follows its
    msgstr directly: msgfmt reads a catalogue edited by hand without blank lines between entries,
    so this must too (splitting on blank lines once hid such entries from every check here)."""
    entries: list[Entry] = []
    entry, fields, current = Entry(), {}, None

    def close():
        if "msgid" in fields:
            entry.msgid = fields["msgid"]
            entry.msgid_plural = fields.get("msgid_plural")
            entry.msgctxt = fields.get("msgctxt")
            entry.msgstrs = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
            entries.append(entry)

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        has_msgstr = any(key.startswith("msgstr") for key in fields)
        if not line or (has_msgstr and not line.startswith(('"', "msgstr"))):
            close()
            entry, fields, current = Entry(), {}, None
            if not line:
                continue
        if line.startswith("#~"):
            continue  # an obsolete entry
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#:"):
            entry.locations += line[2:].split()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            fields[current] += ast.literal_eval(line)
        else:
            current, _, value = line.partition(" ")
            fields[current] = ast.literal_eval(value)
    close()
    return entries


def _messages() -> list[Entry]:
    header, *messages = read_po(CATALOGUE / "django.po")
    assert header.msgid == ""
    return messages


def test_header_is_usable():
    header = read_po(CATALOGUE / "django.po")[0]
    # A fuzzy header is dropped by msgfmt, and with it the plural rule.
    assert "fuzzy" not in header.flags
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstrs[0]
    assert "Language: en" in header.msgstrs[0]


def test_every_message_is_translated_and_none_is_fuzzy():
    messages = _messages()
    assert len(messages) > 600
    untranslated = [m.msgid for m in messages if not all(m.msgstrs)]
    fuzzy = [m.msgid for m in messages if "fuzzy" in m.flags]
    assert untranslated == []
    assert fuzzy == []


def test_translations_are_english_and_keep_placeholders():
    for m in _messages():
        if m.msgid_plural is None:
            (msgstr,) = m.msgstrs
            assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(m.msgid)), (
                m.msgid
            )
        else:
            one, many = m.msgstrs
            assert sorted(PLACEHOLDER.findall(many)) == sorted(PLACEHOLDER.findall(m.msgid_plural))
            assert set(PLACEHOLDER.findall(one)) <= set(PLACEHOLDER.findall(m.msgid_plural))
        # Chinese may appear only where a translation names what users type or see in Chinese
        # (spreadsheet column names, answer words, example search terms), never as the whole text.
        for msgstr in m.msgstrs:
            assert re.search(r"[A-Za-z]", msgstr), (m.msgid, msgstr)
            if CJK.search(msgstr):
                assert CJK.search(m.msgid) and len(CJK.findall(msgstr)) < len(CJK.findall(m.msgid))


def test_compiled_catalogue_is_up_to_date():
    with (CATALOGUE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for m in _messages():
        if m.msgctxt is not None:
            assert compiled.pgettext(m.msgctxt, m.msgid) == m.msgstrs[0], "run compilemessages"
        elif m.msgid_plural is None:
            assert compiled.gettext(m.msgid) == m.msgstrs[0], "run compilemessages"
        else:
            assert compiled.ngettext(m.msgid, m.msgid_plural, 1) == m.msgstrs[0]
            assert compiled.ngettext(m.msgid, m.msgid_plural, 2) == m.msgstrs[1]


def _makefile_ignores() -> list[str]:
    """The --ignore patterns of `make messages`, read from the Makefile so the two cannot drift."""
    makefile = (settings.BASE_DIR / "Makefile").read_text(encoding="utf-8")
    (line,) = [line for line in makefile.splitlines() if "makemessages -l en" in line]
    ignores = re.findall(r"--ignore '([^']+)'", line)
    assert ignores, line
    return ignores


def test_the_catalogue_has_every_message_the_code_uses(tmp_path, monkeypatch):
    """What `make messages` would do, run on a copy: every msgid the code (Python and templates)
    marks for translation has a translated, non-fuzzy entry in the committed English catalogue, and
    the catalogue keeps no entry the code no longer uses. The committed files are never written:
    makemessages writes its .pot and templatized copies of the templates next to what it reads."""
    if not all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msgattrib")):
        pytest.skip("the check runs makemessages, which needs GNU gettext (apt install gettext)")
    ignores = _makefile_ignores()
    skipped = {pattern.split("/")[0] for pattern in ignores}
    for entry in settings.BASE_DIR.iterdir():
        if entry.name.startswith(".") or entry.name in skipped:
            continue
        if entry.is_dir():
            shutil.copytree(
                entry, tmp_path / entry.name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(entry, tmp_path / entry.name)
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command(
            "makemessages", locale=["en"], no_obsolete=True, ignore_patterns=ignores, verbosity=0
        )

    def key(m: Entry):
        return (m.msgctxt, m.msgid, m.msgid_plural)

    wanted = {
        key(m): m for m in read_po(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")[1:]
    }
    committed = {key(m): m for m in _messages()}
    done = {k for k, m in committed.items() if all(m.msgstrs) and "fuzzy" not in m.flags}
    missing = [f"{m.msgid} ({' '.join(m.locations)})" for k, m in wanted.items() if k not in done]
    unused = [m.msgid for k, m in committed.items() if k not in wanted]
    if missing or unused:
        pytest.fail(
            "locale/en/LC_MESSAGES/django.po is behind the code (add the entries, then compilemessages)"
            + "".join(f"\n  missing or untranslated: {msgid}" for msgid in missing)
            + "".join(f"\n  no longer used: {msgid}" for msgid in unused)
        )


# Words issue 14 retired from the Chinese interface (tests/learning/reports/test_words.py): an entry that
# still uses one translates a message the code no longer has, and misleads whoever edits the
# catalogue by hand (the old 培养阶段 labels, 报名, 学时已满, 已获/应修, "由本平台颁发").
RETIRED_WORDS = ("培养阶段", "报名", "学时已满", "已获/应修", "已获 %(earned)s", "本平台颁发")


def test_the_catalogue_keeps_no_entry_with_a_retired_word():
    stale = [m.msgid for m in _messages() if any(word in m.msgid for word in RETIRED_WORDS)]
    assert stale == []


def test_a_word_in_two_senses_has_a_context():
    """撤销 is 'revoke' for a certificate and 'withdraw' for a 请假; 有效 is 'valid' for a
    certificate and 'in force' for a leave: the leave's strings carry the context 请假."""
    with translation.override("en"):
        assert translation.gettext("撤销时间") == "Revoked at"
        assert translation.pgettext("请假", "撤销时间") == "Withdrawn at"
        assert translation.pgettext("请假", "撤销人") == "Withdrawn by"
        assert translation.gettext("有效") == "Valid"
        assert translation.pgettext("请假", "有效") == "In force"


def test_messages_built_at_run_time_follow_the_language():
    with translation.override("en"):
        with pytest.raises(grading.AnswerError, match="This question has 2 blanks"):
            grading.normalise_response({"type": "fill", "answer": [["a"], ["b"]]}, ["x", "y", "z"])
        assert answer_text(None) == "(not answered)"
        assert answer_text(True) == "True"
    with translation.override("zh-hans"):
        assert answer_text(True) == "正确"


def test_template_texts_with_placeholders_for_the_script_are_translated():
    """{% translate %} doubles every % of its text before looking it up, so the exam page's texts
    for attempt.js (which fills in %(n)s itself) have %% in their msgid and msgstr."""
    template = Template(
        "{% load i18n %}{% translate '第 %(n)s 题，共 %(total)s 题' %}|{% translate '第 %(n)s 题' %}"
        "|{% translate '剩余 %(n)s 分钟' %}"
    )
    with translation.override("en"):
        assert (
            template.render(Context())
            == "Question %(n)s of %(total)s|Question %(n)s|%(n)s minutes left"
        )
    with translation.override("zh-hans"):
        assert (
            template.render(Context()) == "第 %(n)s 题，共 %(total)s 题|第 %(n)s 题|剩余 %(n)s 分钟"
        )


# Pages in English ---------------------------------------------------------------------------


@pytest.fixture
def english(client):
    """The site's client after choosing English in the header's language switch."""
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def _page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    html = response.content.decode()
    assert '<html lang="en"' in html
    return html


@pytest.mark.django_db
def test_public_pages_in_english(english, lessons):
    home = _page(english, "/")
    assert "Courses" in home and "Latest micro-lessons" in home and "学习专题" not in home
    login = _page(english, "/accounts/login/")
    assert "Username" in login and "Password" in login and "用户名" not in login
    verify = _page(english, "/verify/NO-SUCH-CERT/", status=404)
    assert "There is no certificate of completion numbered “NO-SUCH-CERT”" in verify
    missing = _page(english, "/no-such-page/", status=404)
    assert "Page not found" in missing and "页面不存在" not in missing
    search = _page(english, "/search/?q=zzzz")
    assert "Nothing found for “zzzz”." in search and "没有找到" not in search


@pytest.mark.django_db
def test_trainee_pages_in_english(english, trainee):
    english.force_login(trainee)
    me = _page(english, "/me/")
    assert "My learning" in me and "我的学习" not in me
    records = _page(english, "/me/records/")
    assert "No class hour records yet." in records


@pytest.mark.django_db
def test_trainer_report_in_english(english, trainer):
    today = timezone.localdate()
    training_class = TrainingClass.objects.create(
        name="入党积极分子培训班",
        audience_stage="activist",
        start_date=today,
        end_date=today + timedelta(days=30),
        required_hours=Decimal("40"),
    )
    training_class.trainers.add(trainer)
    english.force_login(trainer)
    report = _page(english, f"/admin/reports/classes/{training_class.pk}/")
    assert "Class hours (earned/required)" in report and "Certificate no." in report
    assert "学时（已修/应修）" not in report
    assert "入党积极分子培训班" in report  # data stays as entered


@pytest.mark.django_db
def test_quiz_result_in_english(english, trainee, lessons):
    from learning.quizzes import services
    from learning.quizzes.models import Question, QuestionBank, Quiz, QuizKind, QuizQuestion

    bank = QuestionBank.objects.create(name="题库")
    question = Question.objects.create(
        bank=bank, type="true_false", stem="民主集中制是党的根本组织原则。", answer=True
    )
    quiz = Quiz.objects.create(
        title="课后练习",
        kind=QuizKind.PRACTICE,
        lesson=lessons[0],
        review_after_submit="explanations",
    )
    QuizQuestion.objects.create(quiz=quiz, question=question, sort_order=0)
    attempt, _created = services.attempt_start(quiz=quiz, user=trainee)
    services.attempt_submit(attempt_id=attempt.pk, user=trainee)
    english.force_login(trainee)
    result = _page(english, f"/attempts/{attempt.pk}/result/")
    assert "Your answer: (not answered)" in result
    assert "Correct answer: True" in result
    assert "正确答案" not in result and "正确" not in result


# The demo's intake label matches the dates it gives its classes ------------------------------


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2026, 11, 28), "2026 年秋季第 1 期"),
        (date(2027, 1, 31), "2026 年秋季第 1 期"),
        (date(2027, 2, 1), "2027 年春季第 1 期"),
        (date(2027, 7, 31), "2027 年春季第 1 期"),
        (date(2027, 8, 1), "2027 年秋季第 1 期"),
    ],
)
def test_demo_intake_follows_the_term(day, label):
    assert demo_intake(day) == label


@pytest.mark.django_db
def test_demo_classes_found_by_name_in_a_later_term():
    demo_accounts_ensure()
    name, _username = DEMO_CLASSES["activist"]
    TrainingClass.objects.create(
        name=name,
        intake="2025 年秋季第 1 期",
        audience_stage="activist",
        required_hours=Decimal("40"),
    )
    demo_classes_ensure()
    demo_classes_ensure()
    assert TrainingClass.objects.count() == 2
    assert TrainingClass.objects.get(name=name).intake == "2025 年秋季第 1 期"
    other = TrainingClass.objects.exclude(name=name).get()
    assert other.intake == demo_intake(timezone.localdate())
