"""The 党组织 admin: 组织部 manages the tree; a 组织员 sees and picks only their 院系党委's units."""

import pytest
from django.urls import reverse

from party.organisation.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


def test_party_office_adds_a_branch_under_a_college(client, tree):
    client.force_login(tree["users"]["office"])
    response = client.post(
        reverse("party_units:add"),
        {
            "kind": "branch",
            "name": "法学教工党支部",
            "code": "LAW-T",
            "parent": tree["units"]["law"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    branch = Unit.objects.get(name="法学教工党支部")
    assert branch.get_parent() == tree["units"]["law"]
    assert branch.kind == UnitKind.BRANCH


def test_a_group_cannot_sit_under_a_college_and_nothing_is_written(client, tree):
    client.force_login(tree["users"]["office"])
    before = Unit.objects.count()
    response = client.post(
        reverse("party_units:add"),
        {"kind": "group", "name": "错位小组", "parent": tree["units"]["law"].pk},
    )
    assert response.status_code == 200
    assert "下不能设立党小组" in response.content.decode()
    assert Unit.objects.count() == before


def test_moving_a_branch_to_another_college_moves_its_groups(client, tree):
    client.force_login(tree["users"]["office"])
    branch = tree["units"]["law_b1"]
    response = client.post(
        reverse("party_units:edit", args=[branch.pk]),
        {"kind": "branch", "name": branch.name, "code": "", "parent": tree["units"]["eng"].pk},
    )
    assert response.status_code == 302
    group = Unit.objects.get(pk=tree["units"]["law_g1"].pk)
    assert group.path.startswith(tree["units"]["eng"].path)


def test_deleting_a_unit_with_members_is_refused(client, tree):
    client.force_login(tree["users"]["office"])
    branch = tree["units"]["law_b2"]
    client.post(reverse("party_units:delete", args=[branch.pk]))
    assert Unit.objects.filter(pk=branch.pk).exists()


def test_organiser_lists_only_their_college_and_cannot_open_another(client, tree):
    client.force_login(tree["users"]["organiser"])
    page = client.get(reverse("party_members:index")).content.decode()
    assert "张三" in page and "李四" in page and "王五" not in page
    other = tree["members"]["eng_b1"]
    assert client.get(reverse("party_members:edit", args=[other.pk])).status_code == 404


def test_organiser_member_form_offers_only_branches_in_scope(client, tree):
    client.force_login(tree["users"]["organiser"])
    page = client.get(reverse("party_members:add")).content.decode()
    assert "法学本科生党支部" in page and "机械党支部" not in page
    response = client.post(
        reverse("party_members:add"),
        {
            "name": "越权",
            "gender": "male",
            "ethnicity": "汉族",
            "student_no": "X1",
            "unit": tree["units"]["eng_b1"].pk,
        },
    )
    assert response.status_code == 200
    assert not tree["units"]["eng_b1"].members.filter(name="越权").exists()


def test_organiser_adds_units_inside_their_college_only(client, tree):
    client.force_login(tree["users"]["organiser"])
    page = client.get(reverse("party_units:add")).content.decode()
    assert "法学院党委" in page and "工学院党委" not in page  # the parent drop-down is scoped
    response = client.post(
        reverse("party_units:add"),
        {"kind": "branch", "name": "法学教工党支部", "code": "", "parent": tree["units"]["law"].pk},
    )
    assert response.status_code == 302
    assert Unit.objects.get(name="法学教工党支部").get_parent() == tree["units"]["law"]
    # Another college, or a new top-level unit, is refused; nothing is written.
    before = Unit.objects.count()
    for parent in (tree["units"]["eng"].pk, ""):
        response = client.post(
            reverse("party_units:add"),
            {"kind": "branch", "name": "越权党支部", "code": "", "parent": parent},
        )
        assert response.status_code == 200
    assert Unit.objects.count() == before


def test_organiser_cannot_rename_or_delete_units(client, tree):
    client.force_login(tree["users"]["organiser"])
    branch = tree["units"]["law_b1"]
    response = client.get(reverse("party_units:edit", args=[branch.pk]))
    assert response.status_code in (302, 403)
    client.post(reverse("party_units:delete", args=[branch.pk]))
    assert Unit.objects.filter(pk=branch.pk).exists()


def test_a_secretary_has_no_admin(client, tree):
    client.force_login(tree["users"]["secretary"])
    response = client.get(reverse("party_members:index"))
    assert response.status_code in (302, 403)
