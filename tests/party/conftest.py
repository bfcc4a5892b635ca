"""A small university for party tests: one 党委, two 院系党委, three branches, a 党小组, and the
people whose scope differs (组织部, a 组织员, two 支部书记, a member, an outsider)."""

from datetime import date

import pytest

from cms.roles import ORGANISERS, PARTY_OFFICE, TRAINEES
from party.members.models import Gender, Member, StageChangeAttachment, StepDocument
from party.organisation.models import OrganiserAssignment, PostRole, UnitKind
from party.organisation.services import post_assign, unit_create
from tests.factories import make_user


def make_member(unit, name, no, *, user=None, group=None, **fields) -> Member:
    return Member.objects.create(
        name=name,
        student_no=no,
        gender=fields.pop("gender", Gender.FEMALE),
        unit=unit,
        group=group,
        user=user,
        **fields,
    )


@pytest.fixture
def tree(db):
    uni = unit_create(kind=UnitKind.UNIVERSITY, name="示范大学党委")
    law = unit_create(kind=UnitKind.COLLEGE, name="法学院党委", parent=uni)
    eng = unit_create(kind=UnitKind.COLLEGE, name="工学院党委", parent=uni)
    law_b1 = unit_create(kind=UnitKind.BRANCH, name="法学本科生党支部", parent=law)
    law_b2 = unit_create(kind=UnitKind.BRANCH, name="法学研究生党支部", parent=law)
    eng_b1 = unit_create(kind=UnitKind.BRANCH, name="机械党支部", parent=eng)
    law_g1 = unit_create(kind=UnitKind.GROUP, name="第一党小组", parent=law_b1)

    users = {
        "office": make_user("office", role=PARTY_OFFICE),
        "organiser": make_user("organiser", role=ORGANISERS),
        "secretary": make_user("sec1", role=TRAINEES),
        "secretary2": make_user("sec2", role=TRAINEES),
        "member": make_user("mem", role=TRAINEES),
        "outsider": make_user("out", role=TRAINEES),
    }
    OrganiserAssignment.objects.create(
        user=users["organiser"], unit=law, starts_on=date(2024, 1, 1)
    )
    secretary = make_member(law_b1, "李书记", "T001", user=users["secretary"])
    secretary2 = make_member(eng_b1, "王书记", "T002", user=users["secretary2"])
    post_assign(unit=law_b1, member=secretary, role=PostRole.SECRETARY, starts_on=date(2024, 9, 1))
    post_assign(unit=eng_b1, member=secretary2, role=PostRole.SECRETARY, starts_on=date(2024, 9, 1))
    members = {
        "law_b1": make_member(law_b1, "张三", "S001", user=users["member"], group=law_g1),
        "law_b2": make_member(law_b2, "李四", "S002"),
        "eng_b1": make_member(eng_b1, "王五", "S003"),
        "secretary": secretary,
        "secretary2": secretary2,
    }
    units = {
        "uni": uni,
        "law": law,
        "eng": eng,
        "law_b1": law_b1,
        "law_b2": law_b2,
        "eng_b1": eng_b1,
        "law_g1": law_g1,
    }
    return {"units": units, "users": users, "members": members}


@pytest.fixture
def documents_bucket(settings, monkeypatch):
    """PARTY_DOCUMENTS_STORAGE=s3 against a local S3 server (moto) on loopback; the two document
    fields are pointed at the storage the setting builds (fields read it once, at model load)."""
    import socket
    import urllib.request

    import boto3
    from moto.server import ThreadedMotoServer

    from party.organisation.documents import private_storage

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # moto keeps its buckets in the process, across servers: start every test from an empty store
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket="dangke-party-documents")
    settings.PARTY_DOCUMENTS_STORAGE = {
        "BACKEND": "party.organisation.documents_s3.PrivateS3DocumentStorage",
        "OPTIONS": {
            "bucket_name": "dangke-party-documents",
            "location": "party-documents",
            "endpoint_url": endpoint,
            "access_key": "test",
            "secret_key": "test",
            "region_name": "us-east-1",
        },
    }
    private_storage.cache_clear()
    storage = private_storage()
    for model in (StepDocument, StageChangeAttachment):
        monkeypatch.setattr(model._meta.get_field("file"), "storage", storage)
    yield client
    private_storage.cache_clear()
    server.stop()
