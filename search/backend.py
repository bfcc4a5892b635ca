"""A Wagtail/modelsearch search backend on Whoosh with jieba segmentation of Chinese text.

Whoosh finds and scores the matching documents; the database then applies the queryset's filters
and ordering to those ids, so every filter the ORM can express on a `FilterField` works (related
fields, subqueries, tree filters) without copying filter values into the index.

Settings (WAGTAILSEARCH_BACKENDS entry):
    "BACKEND": "search.backend"
    "PATH": directory of the index (default: settings.VAR_DIR / "search_index")
    "AUTO_UPDATE": False — the search app's signal handlers update the index from background
                   tasks after commit (search.signal_handlers), instead of inline saves.
    "WRITE_TIMEOUT": seconds a write waits for Whoosh's single writer lock (default 60); a write
                   that still cannot get it is logged, never raised to the user.
"""

import logging
from collections import Counter, OrderedDict
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.models import Count
from django.utils.html import strip_tags
from modelsearch.backends.base import (
    BaseIndex,
    BaseSearchBackend,
    BaseSearchQueryCompiler,
    BaseSearchResults,
    FilterFieldError,
    get_model_root,
)
from modelsearch.index import (
    AutocompleteField,
    RelatedFields,
    SearchField,
    get_indexed_instance,
    get_indexed_models,
)
from modelsearch.query import (
    And,
    Boost,
    Fuzzy,
    MatchAll,
    Not,
    Or,
    Phrase,
    PlainText,
)
from whoosh import query as wq

from search.analysis import is_single_character, query_terms
from search.store import WRITE_TIMEOUT_SECONDS, IndexStore

logger = logging.getLogger(__name__)

# Ids are checked against the database this many at a time (well under SQLite's variable limit).
ID_CHUNK = 2000


def document_key(model, pk) -> str:
    """One document per object, keyed by its root model so a page and its specific class share it."""
    return f"{get_model_root(model)._meta.label_lower}:{pk}"


def _content_types(model) -> list[str]:
    types = []
    cls = model
    while cls is not None:
        types.append(cls.indexed_get_content_type())
        cls = cls.indexed_get_parent()
    return types


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return " ".join(_text(item) for item in value)
    text = str(value)
    return strip_tags(text) if "<" in text else text


def _related_objects(value) -> list:
    if value is None:
        return []
    if hasattr(value, "all") and callable(value.all):
        return list(value.all())
    return [value]


def _collect(obj, search_fields, prefix: str, out: dict[str, list[str]]) -> None:
    for field in search_fields:
        if isinstance(field, RelatedFields):
            try:
                related = _related_objects(field.get_value(obj))
            except Exception:  # a dangling relation must not stop indexing the object
                logger.warning("Could not follow %s on %r", field.field_name, obj, exc_info=True)
                continue
            for related_obj in related:
                _collect(related_obj, field.fields, f"{prefix}{field.field_name}__", out)
        elif isinstance(field, SearchField | AutocompleteField):
            kind = "f_" if isinstance(field, SearchField) else "a_"
            text = _text(field.get_value(obj))
            if text:
                out.setdefault(f"{kind}{prefix}{field.field_name}", []).append(text)


def build_document(obj) -> dict:
    model = type(obj)
    fields: dict[str, list[str]] = {}
    _collect(obj, model.get_search_fields(), "", fields)
    document = {
        "key": document_key(model, obj.pk),
        "pk": str(obj.pk),
        "content_types": " ".join(_content_types(model)),
    }
    for name, texts in fields.items():
        document[name] = "\n".join(texts)
    return document


def _field_names(search_fields, kind, prefix: str = "") -> dict[str, float]:
    names: dict[str, float] = {}
    for field in search_fields:
        if isinstance(field, RelatedFields):
            names.update(_field_names(field.fields, kind, f"{prefix}{field.field_name}__"))
        elif kind is SearchField and isinstance(field, SearchField):
            names[f"f_{prefix}{field.field_name}"] = float(field.boost or 1.0)
        elif kind is AutocompleteField and isinstance(field, AutocompleteField):
            names[f"a_{prefix}{field.field_name}"] = 1.0
    return names


def _model_and_subclasses(model) -> list:
    return [model] + [m for m in get_indexed_models() if m is not model and issubclass(m, model)]


class WhooshSearchQueryCompiler(BaseSearchQueryCompiler):
    HANDLES_ORDER_BY_EXPRESSIONS = True
    field_kind = SearchField

    def index_fields(self) -> dict[str, float]:
        """Index fields to look in, with their boosts: the named fields, or every field of the
        model and its subclasses (a search over pages covers the text of every page type)."""
        model = self.queryset.model
        if self.fields is not None:
            available = _field_names(model.get_search_fields(), self.field_kind)
            prefix = "f_" if self.field_kind is SearchField else "a_"
            return {
                f"{prefix}{name}": available.get(f"{prefix}{name}", 1.0) for name in self.fields
            }
        names: dict[str, float] = {}
        for cls in _model_and_subclasses(model):
            for name, boost in _field_names(cls.get_search_fields(), self.field_kind).items():
                names[name] = max(boost, names.get(name, 0.0))
        return names

    def is_match_all(self) -> bool:
        return isinstance(self.query, MatchAll)

    def whoosh_query(self):
        return self._compile(self.query, self.index_fields())

    def _terms_query(self, terms, fields, operator, boost=1.0, fuzzy=False):
        if not terms or not fields:
            return wq.NullQuery
        per_term = []
        for term in terms:
            alternatives = []
            for name, field_boost in fields.items():
                if is_single_character(term):
                    # Indexed words are whole words; a lone character matches any word containing
                    # it (the lexicon of a field is small, so scanning it is cheap).
                    alternatives.append(wq.Wildcard(name, f"*{term}*", boost=field_boost))
                elif fuzzy and term.isascii():
                    alternatives.append(wq.FuzzyTerm(name, term, boost=field_boost))
                else:
                    alternatives.append(wq.Term(name, term, boost=field_boost))
            per_term.append(wq.Or(alternatives))
        combined = wq.And(per_term) if operator == "and" else wq.Or(per_term)
        return combined.with_boost(boost) if boost != 1 else combined

    def _compile(self, query, fields):
        if isinstance(query, MatchAll):
            return wq.Every()
        if isinstance(query, PlainText):
            return self._terms_query(
                query_terms(query.query_string), fields, query.operator, query.boost
            )
        if isinstance(query, Fuzzy):
            return self._terms_query(
                query_terms(query.query_string), fields, query.operator, fuzzy=True
            )
        if isinstance(query, Phrase):
            terms = query_terms(query.query_string)
            if not terms or not fields:
                return wq.NullQuery
            if len(terms) == 1:
                return wq.Or([wq.Term(name, terms[0], boost=b) for name, b in fields.items()])
            return wq.Or([wq.Phrase(name, terms, boost=b) for name, b in fields.items()])
        if isinstance(query, Boost):
            return self._compile(query.subquery, fields).with_boost(query.boost)
        if isinstance(query, And):
            return wq.And([self._compile(sub, fields) for sub in query.subqueries])
        if isinstance(query, Or):
            return wq.Or([self._compile(sub, fields) for sub in query.subqueries])
        if isinstance(query, Not):
            return wq.And([wq.Every(), wq.Not(self._compile(query.subquery, fields))])
        raise NotImplementedError(f"{type(query).__name__} is not supported by the Whoosh backend.")


class WhooshAutocompleteQueryCompiler(WhooshSearchQueryCompiler):
    field_kind = AutocompleteField

    def index_fields(self) -> dict[str, float]:
        fields = super().index_fields()
        if not fields and self.fields is None:
            # A model without AutocompleteFields still completes on its search fields.
            self.field_kind = SearchField
            try:
                fields = super().index_fields()
            finally:
                self.field_kind = AutocompleteField
        return fields

    def _compile(self, query, fields):
        if isinstance(query, PlainText):
            terms = query_terms(query.query_string)
            if not terms or not fields:
                return wq.NullQuery
            # The last word is what the user is still typing.
            parts = [
                wq.Or([wq.Term(name, term, boost=b) for name, b in fields.items()])
                for term in terms[:-1]
            ]
            parts.append(wq.Or([wq.Prefix(name, terms[-1], boost=b) for name, b in fields.items()]))
            combined = wq.And(parts) if query.operator == "and" else wq.Or(parts)
            return combined.with_boost(query.boost) if query.boost != 1 else combined
        return super()._compile(query, fields)


class WhooshSearchResults(BaseSearchResults):
    supports_facet = True

    def _whoosh_hits(self, *, limit: int | None = None, scored: bool = True):
        """Matching (pk, score) pairs of the queryset's model, best first (ties in index order, so
        pages of results never repeat or skip an object), and whether that is all of them."""
        compiler = self.query_compiler
        model = compiler.queryset.model
        query = compiler.whoosh_query()
        if query is wq.NullQuery:
            return [], True
        to_python = model._meta.pk.to_python
        restrict = wq.Term("content_types", model.indexed_get_content_type())
        with self.backend.store.searcher() as searcher:
            results = searcher.search(query, limit=limit, filter=restrict, scored=scored)
            top = results.top_n
            if not top:
                return [], True
            pks = searcher.reader().column_reader("pk")
            hits = [(to_python(pks[docnum]), float(score or 0.0)) for score, docnum in top]
        return hits, limit is None or len(hits) < limit

    def _filtered(self, hits, needed: int | None = None) -> list[tuple[object, float]]:
        """The hits that are also in the queryset (its filters, and still in the database)."""
        base = self.query_compiler.queryset.order_by()
        kept = []
        i = 0
        # A first page needs only its own ids checked; the rest go in bigger batches.
        size = min(ID_CHUNK, max(2 * needed, 50)) if needed is not None else ID_CHUNK
        while i < len(hits):
            chunk = hits[i : i + size]
            allowed = set(base.filter(pk__in=[pk for pk, _ in chunk]).values_list("pk", flat=True))
            kept.extend(hit for hit in chunk if hit[0] in allowed)
            if needed is not None and len(kept) >= needed:
                break
            i += size
            size = ID_CHUNK
        return kept

    def _ordered_queryset(self):
        queryset = self.query_compiler.queryset
        if not queryset.ordered:
            # As the database backends do: newest first when nothing else is asked for.
            queryset = queryset.order_by("-pk")
        return queryset

    def _fetch(self, pks) -> dict:
        queryset = self.query_compiler.queryset.filter(pk__in=pks)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return {obj.pk: obj for obj in queryset}

    def _with_scores(self, objs, scores):
        if self._score_field:
            for obj in objs:
                setattr(obj, self._score_field, scores.get(obj.pk))
        return objs

    def _do_search(self):
        compiler = self.query_compiler
        if compiler.is_match_all():
            objs = list(self._ordered_queryset()[self.start : self.stop])
            return self._with_scores(objs, {obj.pk: 1.0 for obj in objs})
        if compiler.order_by_relevance:
            return self._search_by_relevance()
        return self._search_by_field_order()

    def _search_by_relevance(self):
        if self.stop is None:
            hits, _complete = self._whoosh_hits()
            kept = self._filtered(hits)
        else:
            # Ask Whoosh for the best few first; widen only if the filters drop too many.
            limit = max(2 * self.stop, 100)
            while True:
                hits, complete = self._whoosh_hits(limit=limit)
                kept = self._filtered(hits, needed=self.stop)
                if complete or len(kept) >= self.stop:
                    break
                limit *= 4
        page = kept[self.start : self.stop]
        objects = self._fetch([pk for pk, _ in page])
        return self._with_scores([objects[pk] for pk, _ in page if pk in objects], dict(page))

    def _search_by_field_order(self):
        hits, _complete = self._whoosh_hits(scored=bool(self._score_field))
        scores = dict(hits)
        if len(hits) <= ID_CHUNK:
            ranked = self._ordered_queryset().filter(pk__in=list(scores))
            return self._with_scores(list(ranked[self.start : self.stop]), scores)
        # Many hits: walk the ordered queryset's ids instead of one enormous IN clause.
        page_pks = []
        position = 0
        for pk in self._ordered_queryset().values_list("pk", flat=True).iterator():
            if pk in scores:
                if position >= self.start:
                    page_pks.append(pk)
                position += 1
                if self.stop is not None and position >= self.stop:
                    break
        objects = self._fetch(page_pks)
        return self._with_scores([objects[pk] for pk in page_pks if pk in objects], scores)

    def _do_count(self):
        compiler = self.query_compiler
        if compiler.is_match_all():
            count = compiler.queryset.count()
        else:
            hits, _complete = self._whoosh_hits(scored=False)
            base = compiler.queryset.order_by()
            pks = [pk for pk, _ in hits]
            count = sum(
                base.filter(pk__in=pks[i : i + ID_CHUNK]).count()
                for i in range(0, len(pks), ID_CHUNK)
            )
        count -= self.start
        if self.stop is not None:
            count = min(count, self.stop - self.start)
        return max(count, 0)

    def facet(self, field_name):
        compiler = self.query_compiler
        if compiler._get_filterable_field(field_name) is None:
            raise FilterFieldError(
                f'Cannot facet search results with field "{field_name}". Please add '
                f'index.FilterField("{field_name}") to {compiler.queryset.model.__name__}.search_fields.',
                field_name=field_name,
            )
        counts: Counter = Counter()
        base = compiler.queryset.order_by()
        if compiler.is_match_all():
            chunks = [base]
        else:
            pks = [pk for pk, _ in self._filtered(self._whoosh_hits(scored=False)[0])]
            chunks = [
                base.filter(pk__in=pks[i : i + ID_CHUNK]) for i in range(0, len(pks), ID_CHUNK)
            ]
        for chunk in chunks:
            for row in chunk.values(field_name).annotate(count=Count("pk")).order_by():
                counts[row[field_name]] += row["count"]
        return OrderedDict(counts.most_common())


class WhooshIndex(BaseIndex):
    """The single index of the backend; during a rebuild, an instance writes to the new index."""

    def __init__(self, backend, rebuild=None):
        super().__init__(backend)
        self.rebuild = rebuild

    def get_key(self):
        return str(self.backend.store.root)

    def reset(self):
        self.backend.store.reset()

    def add_items(self, model, items):
        documents = [build_document(obj) for obj in items]
        if self.rebuild is not None:
            self.rebuild.add(documents)
            return
        journal = [
            {"op": "add", "model": model._meta.label_lower, "pk": str(obj.pk)} for obj in items
        ]
        self._live_write(documents=documents, journal_entries=journal)

    def delete_item(self, item):
        key = document_key(type(item), item.pk)
        if self.rebuild is not None:
            self.rebuild.delete(key)
            return
        journal = [{"op": "delete", "model": item._meta.label_lower, "pk": str(item.pk)}]
        self._live_write(delete_keys=[key], journal_entries=journal)

    def _live_write(self, **kwargs):
        # A search index is derived data: failing to update it must never fail the user's
        # publish. The next update of the object or a rebuild repairs it.
        try:
            self.backend.store.write(**kwargs)
        except Exception:
            logger.exception("Could not update the search index at %s", self.backend.store.root)
            if self.backend.raise_indexing_errors:
                raise


class WhooshRebuilder:
    """Builds a complete new index beside the serving one and swaps it in when done."""

    def __init__(self, index):
        self.index = index
        self.rebuild = None

    def start(self):
        self.rebuild = self.index.backend.store.start_rebuild()
        return WhooshIndex(self.index.backend, rebuild=self.rebuild)

    def finish(self):
        self.rebuild.finish(replay=self.index.backend.replay_journal)


class WhooshSearchBackend(BaseSearchBackend):
    query_compiler_class = WhooshSearchQueryCompiler
    autocomplete_query_compiler_class = WhooshAutocompleteQueryCompiler
    results_class = WhooshSearchResults
    index_class = WhooshIndex
    rebuilder_class = WhooshRebuilder
    catch_indexing_errors = True

    def __init__(self, params):
        super().__init__(params)
        path = params.get("PATH") or Path(settings.VAR_DIR) / "search_index"
        self.store = IndexStore(
            Path(path), write_timeout=float(params.get("WRITE_TIMEOUT", WRITE_TIMEOUT_SECONDS))
        )
        self.raise_indexing_errors = bool(params.get("RAISE_INDEXING_ERRORS", False))

    def replay_journal(self, directory, entries) -> None:
        """Apply the final state of every object written during a rebuild to the new index."""
        latest: dict[tuple[str, str], dict] = {}
        for entry in entries:
            latest[(entry["model"], entry["pk"])] = entry
        documents, delete_keys = [], []
        for (label, pk), _entry in latest.items():
            model = apps.get_model(label)
            obj = model._default_manager.filter(pk=pk).first()
            indexed = get_indexed_instance(obj) if obj is not None else None
            if indexed is not None:
                documents.append(build_document(indexed))
            else:
                delete_keys.append(document_key(model, model._meta.pk.to_python(pk)))
        self.store._write(directory, documents, delete_keys)


SearchBackend = WhooshSearchBackend
