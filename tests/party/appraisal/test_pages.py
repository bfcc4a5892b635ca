"""The whole 民主评议 on the site's pages, as the done-when path: ten members vote on the ballot
page, the eleventh votes and is refused the second time, the secretary closes the 民主测评, the
committee proposes (the 优秀 share is enforced), the 支部大会's decision is recorded with its
meeting, a 不合格 member gets a follow-up, and the 院系党委's 组织员 sees the report and its xlsx."""

import io
from datetime import timedelta

from django.utils import timezone
from openpyxl import load_workbook

from party.appraisal.models import BallotCast, Phase, Tally
from party.meetings.models import MeetingKind
from party.meetings.services import meeting_plan
from tests.spreadsheets import assert_header_frozen


def vote_page(client, user, campaign, grade="qualified", special=None):
    client.force_login(user)
    form = {
        f"m{p.member_id}": (special or {}).get(p.member_id, grade)
        for p in campaign.participants.exclude(member__user=user)
    }
    return client.post(f"/party/appraisal/{campaign.pk}/ballot/", form)


def test_the_appraisal_from_ballot_to_report(rating, client):
    campaign, users, m, voters = (
        rating["campaign"],
        rating["users"],
        rating["members"],
        rating["voters"],
    )
    zhang = m["law_b1"]
    eleven = [u for k, u in voters.items() if k != "ap9"] + [voters["ap9"]]
    for user in eleven[:10]:
        page = client.get(f"/party/appraisal/{campaign.pk}/ballot/")
        response = vote_page(client, user, campaign, special={zhang.pk: "unqualified"})
        assert response.status_code == 302, response.content.decode()[:500]
    last = eleven[10]  # the 预备党员: rates, not counted
    client.force_login(last)
    page = client.get(f"/party/appraisal/{campaign.pk}/ballot/")
    assert "不计入票数" in page.content.decode()
    assert vote_page(client, last, campaign).status_code == 302
    again = vote_page(client, last, campaign, grade="excellent")
    assert again.status_code == 409
    assert "只能投票一次" in again.content.decode()
    assert BallotCast.objects.filter(campaign=campaign).count() == 11
    # results are not readable while the 民主测评 is open
    client.force_login(users["secretary"])
    assert client.get(f"/party/appraisal/{campaign.pk}/committee/").status_code == 302
    assert client.post(f"/party/appraisal/{campaign.pk}/advance/").status_code == 302
    campaign.refresh_from_db()
    assert campaign.phase == Phase.PROPOSAL
    page = client.get(f"/party/appraisal/{campaign.pk}/committee/").content.decode()
    assert "张三" in page
    assert Tally.objects.get(campaign=campaign, member=zhang, grade="unqualified").votes == 9
    # proposals: three 优秀 exceed 30 % of 11 (3.3 → 3)? No: 3 is allowed, 4 is not.
    participants = list(campaign.participants.order_by("member__student_no"))
    form = {"action": "propose"}
    for i, p in enumerate(participants):
        form[f"p{p.member_id}"] = "excellent" if i < 4 else "qualified"
    form[f"p{zhang.pk}"] = "unqualified"
    form[f"p{participants[0].member_id}"] = "excellent"
    refused = client.post(f"/party/appraisal/{campaign.pk}/committee/", form)
    assert refused.status_code == 400
    assert "超过上限" in refused.content.decode()
    for i, p in enumerate(participants):
        form[f"p{p.member_id}"] = "excellent" if i < 3 and p.member_id != zhang.pk else "qualified"
    form[f"p{zhang.pk}"] = "unqualified"
    assert client.post(f"/party/appraisal/{campaign.pk}/committee/", form).status_code == 302
    assert client.post(f"/party/appraisal/{campaign.pk}/advance/").status_code == 302
    # the 支部大会 decides, in a meeting of organisation life
    meeting = meeting_plan(
        by_user=users["secretary"],
        unit=campaign.unit,
        kind=MeetingKind.PARTY_CONGRESS,
        topic="民主评议党员支部大会",
        starts_at=timezone.now() - timedelta(hours=2),
        place="法学楼 101",
    )
    response = client.post(
        f"/party/appraisal/{campaign.pk}/committee/",
        {
            "action": "decide",
            "decided_on": timezone.localdate().isoformat(),
            "meeting": meeting.pk,
        },
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.decision_meeting == meeting
    zhang_part = campaign.participants.get(member=zhang)
    assert zhang_part.decided_grade == "unqualified"
    response = client.post(
        f"/party/appraisal/{campaign.pk}/committee/",
        {
            "action": "follow_up",
            "participant": zhang_part.pk,
            "follow_up_action": "rectify",
            "deadline": (timezone.localdate() + timedelta(days=90)).isoformat(),
            "note": "支部书记谈心谈话，每月汇报",
        },
    )
    assert response.status_code == 302
    follow_up = zhang_part.follow_ups.get()
    assert follow_up.get_action_display() == "限期改正"
    # closed on the same page: an empty outcome is refused and nothing is written
    page = client.get(f"/party/appraisal/{campaign.pk}/committee/").content.decode()
    assert f'id="close-follow-up-{follow_up.pk}"' in page
    close = {"action": "close_follow_up", "follow_up": follow_up.pk, "outcome": " "}
    assert client.post(f"/party/appraisal/{campaign.pk}/committee/", close).status_code == 400
    follow_up.refresh_from_db()
    assert follow_up.closed_on is None
    close["outcome"] = "按期改正，支部大会认可"
    assert client.post(f"/party/appraisal/{campaign.pk}/committee/", close).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.closed_on == timezone.localdate()
    assert follow_up.outcome == "按期改正，支部大会认可"
    page = client.get(f"/party/appraisal/{campaign.pk}/committee/").content.decode()
    assert f'id="close-follow-up-{follow_up.pk}"' not in page and "按期改正" in page
    assert client.post(f"/party/appraisal/{campaign.pk}/committee/", close).status_code == 400
    assert client.post(f"/party/appraisal/{campaign.pk}/advance/").status_code == 302
    campaign.refresh_from_db()
    assert campaign.phase == Phase.PUBLISHED
    # the member sees their own grade once published
    client.force_login(users["member"])
    assert "不合格" in client.get(f"/party/appraisal/{campaign.pk}/").content.decode()
    # the 院系党委's report
    client.force_login(users["organiser"])
    law = rating["units"]["law"]
    report = client.get(f"/party/appraisal/report/?unit={law.pk}&year={campaign.year}")
    assert report.status_code == 200
    text = report.content.decode()
    assert "法学本科生党支部" in text and "11/11" in text
    xlsx = client.get(f"/party/appraisal/report.xlsx?unit={law.pk}&year={campaign.year}")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "导出人" in rows[0][1]
    assert_header_frozen(sheet, "党支部")
    branch = next(r for r in rows if r[0] == "法学本科生党支部")
    assert branch[2:5] == (11, 11, "100.0%")
    assert branch[5] == 3 and branch[11] == 1  # 优秀 3, 不合格 1


def test_a_member_of_another_branch_is_refused_on_the_ballot_page(rating, client):
    campaign = rating["campaign"]
    client.force_login(rating["users"]["secretary2"])
    assert client.get(f"/party/appraisal/{campaign.pk}/ballot/").status_code == 404
    assert not BallotCast.objects.exists()


def test_the_self_assessment_is_saved_as_typed_through_the_api(branch, client):
    campaign = branch["campaign"]
    client.force_login(branch["users"]["member"])
    page = client.get(f"/party/appraisal/{campaign.pk}/self/")
    assert 'id="self-text"' in page.content.decode()
    response = client.put(
        f"/api/v1/appraisals/{campaign.pk}/self-assessment/",
        {"text": "一年来认真学习党章"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert campaign.participants.get(member__user=branch["users"]["member"]).self_assessment
