"""Search benchmark: the Whoosh + jieba backend beside Wagtail's database backend on the same lessons.

10,000 article lessons are generated from a vocabulary of Party-building terms (no copied text)
in a throwaway test database. Both backends index them; the run prints rebuild throughput (docs/s),
query latency p50/p95 (first page of 20 results) for one-word, two-word and phrase queries, and
recall against the ground truth known from the generated text (a lesson is relevant when its text
contains the word(s), or the exact phrase).

`BENCH_SEARCH_LESSONS` changes the number of lessons (default 10000).
"""

import os
import random
import statistics
import tempfile
import time
from pathlib import Path

LESSONS = int(os.environ.get("BENCH_SEARCH_LESSONS", "10000"))
COURSES = 20
REPEATS = 15

TERMS = [
    "入党积极分子",
    "发展对象",
    "预备党员",
    "正式党员",
    "入党申请人",
    "党支部",
    "党小组",
    "三会一课",
    "组织生活会",
    "民主评议",
    "两学一做",
    "不忘初心",
    "牢记使命",
    "党史学习教育",
    "主题教育",
    "四个意识",
    "四个自信",
    "两个维护",
    "党章",
    "党规",
    "思想汇报",
    "政治审查",
    "培养考察",
    "党风廉政建设",
    "全面从严治党",
    "理想信念",
    "为人民服务",
    "群众路线",
    "实事求是",
    "党性修养",
    "志愿服务",
    "社会实践",
    "基层党建",
    "互联网+党建",
    "组织建设",
    "作风建设",
    "纪律建设",
]
FILLERS = [
    "认真学习",
    "深入理解",
    "结合实际",
    "按时参加",
    "积极开展",
    "自觉践行",
    "系统掌握",
    "切实加强",
    "不断提高",
    "广泛开展",
    "持续推进",
    "严格落实",
    "学院",
    "同学们",
    "老师",
    "本学期",
    "线上",
    "线下",
    "讨论",
    "交流",
    "体会",
    "要求",
    "制度",
    "活动",
    "2026年",
    "第一阶段",
    "经验",
]
PUNCT = ["，", "。", "；", "、"]

ONE_WORD = ["积极分子", "党支部", "思想汇报", "理想信念", "党风廉政"]
TWO_WORDS = [
    "党支部 组织生活会",
    "发展对象 政治审查",
    "两学一做 党章",
    "主题教育 志愿服务",
    "党史 实践",
]
PHRASES = ["三会一课", "全面从严治党", "党性修养", "为人民服务", "群众路线"]


def sentence(rng: random.Random) -> str:
    words = [
        rng.choice(FILLERS if rng.random() < 0.55 else TERMS) for _ in range(rng.randint(4, 9))
    ]
    return "".join(words) + rng.choice(PUNCT)


def lesson_text(rng: random.Random) -> tuple[str, str, str]:
    title = rng.choice(TERMS) + rng.choice(["的学习", "专题讲解", "实践", "要点", "案例"])
    summary = sentence(rng)
    body = "".join(sentence(rng) for _ in range(rng.randint(6, 14)))
    return title, summary, body


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def generate(rng: random.Random) -> dict[int, str]:
    """Create the courses and lessons; returns each lesson's full text by id (the ground truth)."""
    from django.db import transaction
    from django.db.models.signals import post_delete, post_save
    from modelsearch import signal_handlers as modelsearch_handlers
    from modelsearch.index import get_indexed_models

    from cms.pages.models import ArticleLessonPage, CoursePage, HomePage

    # Indexing happens in the measured rebuilds, not on every save while generating.
    for model in get_indexed_models():
        post_save.disconnect(modelsearch_handlers.post_save_signal_handler, sender=model)
        post_delete.disconnect(modelsearch_handlers.post_delete_signal_handler, sender=model)
        post_save.disconnect(sender=model, dispatch_uid=f"search-save-{model}")
        post_delete.disconnect(sender=model, dispatch_uid=f"search-del-{model}")

    texts = {}
    home = HomePage.objects.first()
    with transaction.atomic():
        for c in range(COURSES):
            course = home.add_child(
                instance=CoursePage(title=f"专题{c + 1}", slug=f"bench-{c + 1}")
            )
            for n in range(LESSONS // COURSES):
                title, summary, body = lesson_text(rng)
                lesson = course.add_child(
                    instance=ArticleLessonPage(
                        title=title,
                        slug=f"l-{c}-{n}",
                        summary=summary,
                        body=[{"type": "paragraph", "value": f"<p>{body}</p>"}],
                    )
                )
                texts[lesson.pk] = f"{title} {summary} {body}"
    return texts


def relevant(texts: dict[int, str], query: str, phrase: bool) -> set[int]:
    words = [query] if phrase else query.split()
    return {pk for pk, text in texts.items() if all(word in text for word in words)}


def measure(backend, query, texts, phrase=False) -> tuple[list[float], float]:
    from modelsearch.query import Phrase

    from cms.pages.models import ArticleLessonPage

    queryset = ArticleLessonPage.objects.live()
    q = Phrase(query) if phrase else query
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        list(backend.search(q, queryset, operator="and")[:20])
        timings.append(time.perf_counter() - started)
    found = {page.pk for page in backend.search(q, queryset, operator="and")}
    truth = relevant(texts, query, phrase)
    recall = len(found & truth) / len(truth) if truth else 1.0
    return timings, recall


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    import logging

    import django

    django.setup()
    logging.getLogger("wagtail").setLevel(logging.WARNING)  # no "Page created" line per lesson
    from django.db import connection
    from django.test.utils import override_settings
    from modelsearch.backends import get_search_backend

    from search.rebuild import search_index_rebuild

    work = Path(tempfile.mkdtemp(prefix="dangke-bench-search-"))
    backends = {
        "default": {"BACKEND": "search.backend", "PATH": work / "index", "AUTO_UPDATE": False},
        "database": {"BACKEND": "wagtail.search.backends.database"},
    }
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(WAGTAILSEARCH_BACKENDS=backends):
            started = time.perf_counter()
            texts = generate(random.Random(7))
            print(f"generated {len(texts)} lessons in {time.perf_counter() - started:.0f} s")
            labels = {"default": "whoosh+jieba", "database": "wagtail database"}
            for name in backends:
                result = search_index_rebuild(backend_name=name)
                print(
                    f"rebuild {labels[name]:>16}: {result.documents} docs in {result.seconds:.1f} s "
                    f"= {result.documents / result.seconds:.0f} docs/s"
                )
            print(f"{'query':<28}{'backend':>18}{'p50 ms':>9}{'p95 ms':>9}{'recall':>8}")
            for kind, queries, phrase in (
                ("one word", ONE_WORD, False),
                ("two words", TWO_WORDS, False),
                ("phrase", PHRASES, True),
            ):
                for name in backends:
                    backend = get_search_backend(name)
                    timings, recalls = [], []
                    for query in queries:
                        t, r = measure(backend, query, texts, phrase)
                        timings.extend(t)
                        recalls.append(r)
                    print(
                        f"{kind:<28}{labels[name]:>18}"
                        f"{percentile(timings, 0.5) * 1000:>9.1f}{percentile(timings, 0.95) * 1000:>9.1f}"
                        f"{statistics.mean(recalls):>8.2f}"
                    )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
