"""Report, dashboard, API and trainee-list filters take Unit ids (issue 15): the choices are the
units of the member records of the trainees in view, and an id outside them is refused."""

import re
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from learning.classes.models import Enrolment, TrainingClass
from learning.reports.class_report import ReportFilters, class_report
from learning.reports.exports import filters_text
from party.members.models import Member
from party.organisation.selectors import in_college_q
from tests.factories import make_branch_unit, make_trainee_profile


def _klass(trainer, name):
    tc = TrainingClass.objects.create(name=name, required_hours=Decimal("10"))
    tc.trainers.add(trainer)
    return tc


def _enrol(tc, profile):
    Enrolment.objects.create(training_class=tc, trainee=profile)
    return profile


@pytest.fixture
def world(db, trainer, trainer2):
    law_b1 = make_branch_unit("法学院党委", "法学本科生党支部")
    law_b2 = make_branch_unit("法学院党委", "法学研究生党支部")
    eng_b = make_branch_unit("工学院党委", "机械党支部")
    direct = make_branch_unit(None, "机关直属党支部")
    hidden = make_branch_unit("医学院党委", "临床党支部")
    mine, theirs = _klass(trainer, "本人的培训班"), _klass(trainer2, "别人的培训班")
    people = {
        "law1": _enrol(mine, make_trainee_profile(name="法一", branch=law_b1)),
        "law2": _enrol(mine, make_trainee_profile(name="法二", branch=law_b2)),
        "eng": _enrol(mine, make_trainee_profile(name="工一", branch=eng_b)),
        "direct": _enrol(mine, make_trainee_profile(name="机一", branch=direct)),
        "hidden": _enrol(theirs, make_trainee_profile(name="医一", branch=hidden)),
    }
    units = {"law_b1": law_b1, "law_b2": law_b2, "eng_b": eng_b, "direct": direct}
    units |= {"law": law_b1.get_parent(), "uni": direct.get_parent(), "hidden": hidden}
    units["hidden_college"] = hidden.get_parent()
    return {"mine": mine, "theirs": theirs, "people": people, "units": units}


def _names(tc, **filters):
    return sorted(
        r["name"] for r in class_report(training_class=tc, filters=ReportFilters(**filters))
    )


def test_report_filters_by_branch_and_college_unit(world):
    tc, u = world["mine"], world["units"]
    assert _names(tc, branch=u["law_b1"].pk) == ["法一"]
    assert _names(tc, college=u["law"].pk) == ["法一", "法二"]
    # The 校党委 stands as the 学院 of its 直属党支部: only those, not every unit under it.
    assert _names(tc, college=u["uni"].pk) == ["机一"]


def test_in_college_q_over_members(world):
    u = world["units"]
    law = set(
        Member.objects.filter(in_college_q(u["law"], "unit__")).values_list("name", flat=True)
    )
    assert law == {"法一", "法二"}
    uni = set(
        Member.objects.filter(in_college_q(u["uni"], "unit__")).values_list("name", flat=True)
    )
    assert uni == {"机一"}


def _options(html, name):
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return set(re.findall(r'<option value="(\d+)"', select))


def test_report_page_offers_only_the_units_of_the_class_and_refuses_others(client, trainer, world):
    tc, u = world["mine"], world["units"]
    client.force_login(trainer)
    html = client.get(f"/admin/reports/classes/{tc.pk}/").content.decode()
    assert _options(html, "branch") == {
        str(u[k].pk) for k in ("law_b1", "law_b2", "eng_b", "direct")
    }
    assert _options(html, "college") == {
        str(u["law"].pk),
        str(u["eng_b"].get_parent().pk),
        str(u["uni"].pk),
    }
    filtered = client.get(f"/admin/reports/classes/{tc.pk}/", {"branch": u["law_b1"].pk})
    assert "法一" in filtered.content.decode() and "工一" not in filtered.content.decode()
    refused = client.get(f"/admin/reports/classes/{tc.pk}/", {"branch": u["hidden"].pk})
    assert 'class="error-message" role="alert"' in refused.content.decode()


def test_report_api_filters_by_unit_and_answers_400_outside(trainer, world):
    tc, u = world["mine"], world["units"]
    api = APIClient()
    api.force_authenticate(trainer)
    url = f"/api/v1/classes/{tc.pk}/report/"
    data = api.get(url, {"college": u["law"].pk}).json()
    assert sorted(r["trainee"]["name"] for r in data["rows"]) == ["法一", "法二"]
    assert data["filters"]["college"] == u["law"].pk
    for params in ({"branch": u["hidden"].pk}, {"college": u["hidden_college"].pk}):
        response = api.get(url, params)
        assert response.status_code == 400, params
        assert response.json()
    csv = b"".join(
        api.get(f"/api/v1/classes/{tc.pk}/report.csv", {"branch": u["law_b2"].pk}).streaming_content
    ).decode("utf-8-sig")
    assert "法二" in csv and "法一" not in csv
    # Export title rows name the unit, from the form's unit or from a bare id.
    assert filters_text(ReportFilters(branch=u["law_b2"].pk)) == "筛选条件：党支部=法学研究生党支部"
    assert filters_text(ReportFilters(college=u["law"].pk, college_unit=u["law"])).endswith(
        "学院=法学院党委"
    )


def test_dashboard_offers_only_units_of_the_trainers_classes(client, trainer, world):
    u = world["units"]
    client.force_login(trainer)
    html = client.get("/admin/reports/").content.decode()
    assert str(u["hidden"].pk) not in _options(html, "branch")
    assert str(u["hidden_college"].pk) not in _options(html, "college")
    assert str(u["law_b1"].pk) in _options(html, "branch")
    refused = client.get("/admin/reports/", {"branch": u["hidden"].pk}).content.decode()
    assert 'class="error-message" role="alert"' in refused


def test_trainee_admin_list_filters_by_unit_in_scope(client, trainer, world):
    u = world["units"]
    client.force_login(trainer)
    listing = client.get("/admin/trainees/").content.decode()
    assert str(u["hidden"].pk) not in _options(listing, "branch")
    assert str(u["law_b1"].pk) in _options(listing, "branch")
    by_branch = client.get("/admin/trainees/", {"branch": u["law_b2"].pk}).content.decode()
    assert "法二" in by_branch and "法一" not in by_branch
    by_college = client.get("/admin/trainees/", {"college": u["law"].pk}).content.decode()
    assert "法一" in by_college and "法二" in by_college and "工一" not in by_college
    outside = client.get("/admin/trainees/", {"branch": u["hidden"].pk}).content.decode()
    assert "医一" not in outside
