"""Trainee pages: 学习档案 (/me/records/)."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Sum
from django.shortcuts import render

from learning.progress import selectors


@login_required
def my_records(request):
    entries = selectors.hours_ledger(user=request.user)
    page = Paginator(entries, 30).get_page(request.GET.get("page"))
    total = entries.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return render(
        request,
        "progress/my_records.html",
        {"page_obj": page, "entries": page.object_list, "total": total},
    )
