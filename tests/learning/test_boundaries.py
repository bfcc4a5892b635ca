"""learning/ depends one way, and so do its layers.

Top level: cms → learning → media_pipeline, search (learning never imports cms).
Inside learning, each layer imports only the layers below it:

    classes (classes, trainees, enrolment)
      ← progress (lesson progress, the 学时 ledger, offline sessions)
        ← quizzes (question bank, exams, attempts, grading)
          ← reports (status, certificates, reports, the trainee's own standing)

An upward need is met by the layer above reacting: a signal (quizzes.signals.quiz_regraded) or
a Wagtail hook that a lower layer offers (classes/viewsets.py, classes/wagtail_hooks.py).
Imports inside functions count: hiding one there does not make it point the other way.
"""

from tests.boundaries import imports_in_source, is_within, package_imports

LAYERS = ["learning.classes", "learning.progress", "learning.quizzes", "learning.reports"]
NOT_FROM_LEARNING = ["cms"]


def _layer(module: str) -> int | None:
    for index, layer in enumerate(LAYERS):
        if is_within(module, layer):
            return index
    return None


def upward_imports(imports) -> list[str]:
    offenders = []
    for found in imports:
        source = _layer(found.path.removesuffix(".py").replace("/", "."))
        target = _layer(found.module)
        if source is not None and target is not None and target > source:
            offenders.append(str(found))
        if any(is_within(found.module, top) for top in NOT_FROM_LEARNING):
            offenders.append(str(found))
    return offenders


def test_learning_layers_import_only_downwards():
    assert upward_imports(package_imports("learning")) == []


def test_the_check_catches_an_upward_import_hidden_in_a_function():
    source = (
        "from learning.classes.models import TrainingClass\n"
        "def f():\n"
        "    from learning.reports.models import Certificate\n"
        "    from ..quizzes import selectors\n"
    )
    found = imports_in_source(
        source, path="learning/progress/example.py", module="learning.progress.example"
    )
    offenders = upward_imports(found)
    assert offenders == [
        "learning/progress/example.py:3 imports learning.reports.models.Certificate"
        " (inside a function)",
        "learning/progress/example.py:4 imports learning.quizzes.selectors (inside a function)",
    ]


def test_the_check_catches_learning_importing_cms():
    found = imports_in_source(
        "import cms.roles\n", path="learning/classes/example.py", module="learning.classes.example"
    )
    assert upward_imports(found) == ["learning/classes/example.py:1 imports cms.roles"]


def test_no_learning_import_hides_inside_a_function():
    """An import inside a function is how a cycle hides; only AppConfig.ready() (apps.py) may
    import there, since Django wants models loaded before signal receivers are connected."""
    hidden = [
        str(found)
        for found in package_imports("learning")
        if found.in_function
        and is_within(found.module, "learning")
        and not found.path.endswith("/apps.py")
    ]
    assert hidden == []
