"""The ballot is secret in the database, not only on the screen (docs/party.md, "民主测评: what
the database holds"). These tests read the database after votes — every table, the columns of the
two ballot tables, and on PostgreSQL the transaction stamps (xmin) of the rows — and show that nothing there ties a ballot to its voter: two elections in which two
voters swap their ballots leave the same database behind."""

import pytest
from django.db import connection, transaction

from party.appraisal.models import BallotCast, Tally
from party.appraisal.services import vote_cast
from tests.party.appraisal.conftest import ballot_for

POSTGRES = connection.vendor == "postgresql"


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (names from the schema)
            counts[table] = cursor.fetchone()[0]
        return counts


def columns(model) -> dict[str, str]:
    with connection.cursor() as cursor:
        return {
            c.name: connection.introspection.get_field_type(c.type_code, c)
            for c in connection.introspection.get_table_description(cursor, model._meta.db_table)
        }


@pytest.mark.django_db
def test_the_ballot_tables_have_no_voter_and_no_time_of_day():
    # What a vote may leave: who has voted and on which day; counters per member and grade.
    assert set(columns(BallotCast)) == {"id", "campaign_id", "member_id", "cast_on"}
    assert columns(BallotCast)["cast_on"] == "DateField"
    assert set(columns(Tally)) == {"id", "campaign_id", "member_id", "grade", "votes"}


def test_a_vote_adds_one_has_voted_row_and_no_other_row_anywhere(rating, client):
    campaign = rating["campaign"]
    user = rating["voters"]["ap1"]
    client.force_login(user)
    before = table_counts()
    response = client.post(
        f"/api/v1/appraisals/{campaign.pk}/votes/",
        {"ratings": [{"member": m, "grade": g} for m, g in ballot_for(campaign, user).items()]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    after = table_counts()
    changed = {t: after[t] - before[t] for t in after if after[t] != before.get(t)}
    # No vote row, no log row, no session change: the has-voted record is all that is added.
    assert changed == {BallotCast._meta.db_table: 1}


def snapshot(campaign) -> dict:
    """Everything the ballot tables hold for a campaign, as a reader of the database sees it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT member_id, grade, votes FROM appraisal_tally WHERE campaign_id = %s "
            "ORDER BY id",
            [campaign.pk],
        )
        tally = cursor.fetchall()
        cursor.execute(
            "SELECT member_id, cast_on FROM appraisal_ballotcast WHERE campaign_id = %s "
            "ORDER BY id",
            [campaign.pk],
        )
        cast = cursor.fetchall()
        state = {"tally": tally, "cast": cast}
        if POSTGRES:
            # Transaction stamps: every counter carries the same one, whoever raised it.
            cursor.execute(
                "SELECT COUNT(DISTINCT xmin::text) FROM appraisal_tally WHERE campaign_id = %s",
                [campaign.pk],
            )
            state["distinct_tally_xmin"] = cursor.fetchone()[0]
            # Physical order (ctid) is not compared: it follows the table's history (the rows the
            # first election left dead), not the ballots. Every ballot rewrites every counter of
            # the campaign with values of a fixed width, so where a counter's live version lies
            # depends on the scan of the UPDATE, never on what the ballot said.
    return state


def elect(campaign, voters, ballots):
    for user, ballot in zip(voters, ballots, strict=True):
        vote_cast(user=user, campaign_id=campaign.pk, ratings=ballot)


@pytest.mark.django_db(transaction=False)
def test_two_voters_swapping_ballots_leave_the_same_database(rating):
    campaign, m, v = rating["campaign"], rating["members"], rating["voters"]
    alice, bob, carol = v["ap1"], v["ap2"], v["ap3"]
    # Alice rates 张三 优秀, Bob rates 张三 不合格 (each rates everyone else 合格); Carol votes last.
    ballot_a = ballot_for(campaign, alice, special={m["law_b1"].pk: "excellent"})
    ballot_b = ballot_for(campaign, bob, special={m["law_b1"].pk: "unqualified"})
    # The same ballots swapped between the two voters (a ballot never names its own voter, so
    # Alice's is moved onto Bob's: Bob gives 张三 优秀 and Alice 合格, and the other way round).
    swapped_a = ballot_for(campaign, alice, special={m["law_b1"].pk: "unqualified"})
    swapped_b = ballot_for(campaign, bob, special={m["law_b1"].pk: "excellent"})
    ballot_c = ballot_for(campaign, carol)

    with transaction.atomic():
        elect(campaign, [alice, bob, carol], [ballot_a, ballot_b, ballot_c])
        first = snapshot(campaign)
        transaction.set_rollback(True)
    with transaction.atomic():
        elect(campaign, [alice, bob, carol], [swapped_a, swapped_b, ballot_c])
        second = snapshot(campaign)
        transaction.set_rollback(True)

    assert first["cast"] == [
        (m["ap1"].pk, first["cast"][0][1]),
        (m["ap2"].pk, first["cast"][0][1]),
        (m["ap3"].pk, first["cast"][0][1]),
    ]  # who voted, on the day: that is meant to be known
    tally = {(member, grade): n for member, grade, n in first["tally"]}
    assert tally[(m["law_b1"].pk, "excellent")] == 1
    assert tally[(m["law_b1"].pk, "unqualified")] == 1
    # What Alice voted and what Bob voted cannot be told apart: the database is the same.
    assert first == second
    if POSTGRES:
        assert first["distinct_tally_xmin"] == 1


@pytest.mark.skipif(not POSTGRES, reason="transaction stamps are PostgreSQL's")
def test_on_postgresql_the_counters_carry_only_the_last_ballots_stamp(rating):
    """Every ballot rewrites all counters of its campaign: after Alice and then Bob, no counter
    keeps Alice's transaction id (which her has-voted row does), so her ballot cannot be picked
    out by matching stamps."""
    campaign, v = rating["campaign"], rating["voters"]
    for key in ("ap1", "ap2"):
        user = v[key]
        with transaction.atomic():  # each vote in a transaction of its own, as in a request
            vote_cast(user=user, campaign_id=campaign.pk, ratings=ballot_for(campaign, user))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT b.member_id, b.xmin::text FROM appraisal_ballotcast b WHERE campaign_id = %s",
            [campaign.pk],
        )
        cast_stamp = dict(cursor.fetchall())
        cursor.execute(
            "SELECT DISTINCT xmin::text FROM appraisal_tally WHERE campaign_id = %s",
            [campaign.pk],
        )
        tally_stamps = {row[0] for row in cursor.fetchall()}
    assert len(tally_stamps) == 1
    assert cast_stamp[v["ap1"].party_member.pk] not in tally_stamps
