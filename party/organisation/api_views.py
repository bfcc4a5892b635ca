"""REST views of the organisation tree: the units in the caller's scope."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated

from party.organisation.models import PostRole, UnitPost, active_on_q
from party.organisation.selectors import unit_parents_by_id, units_in_scope
from party.organisation.serializers import UnitSerializer


@extend_schema(tags=["party"], summary="党组织（调用者范围内）")
class UnitListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = UnitSerializer

    def get_queryset(self):
        return units_in_scope(user=self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        units = list(page if page is not None else queryset)
        parents = unit_parents_by_id(units)
        secretaries = dict(
            UnitPost.objects.filter(
                active_on_q(timezone.localdate()),
                unit__in=units,
                role=PostRole.SECRETARY,
            ).values_list("unit_id", "member__name")
        )
        for unit in units:
            unit.parent = parents[unit.pk]
            unit.secretary = secretaries.get(unit.pk)
        return units
