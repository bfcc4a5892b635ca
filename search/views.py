"""The site search page: a query box, filters, highlighted results, pagination."""

from django.core.paginator import Paginator
from django.shortcuts import render

from search import selectors
from search.forms import SearchForm

PAGE_SIZE = 10


def search_page(request):
    form = SearchForm(request.GET or None, user=request.user)
    context = {"form": form, "query": "", "hits": [], "page_obj": None, "searched": False}
    if form.is_valid() and form.cleaned_data["q"].strip():
        query = form.cleaned_data["q"].strip()
        results = selectors.page_search(
            user=request.user,
            query=query,
            kind=form.cleaned_data["kind"],
            course_id=form.cleaned_data["course"],
        )
        page_obj = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            query=query,
            searched=True,
            page_obj=page_obj,
            hits=selectors.hits_for(pages=list(page_obj.object_list), query=query, request=request),
        )
    return render(request, "search/search.html", context)
