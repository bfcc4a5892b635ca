"""Short-lived check-in codes for the QR shown at a meeting: Django's TimestampSigner over the
meeting's id (a well-kept signed-token implementation instead of homemade crypto). A code names
its meeting, so a code of another meeting is told apart from an expired or forged one."""

from django.core import signing

from party.meetings.rules import CHECKIN_CODE_SECONDS

_SALT = "party.meetings.checkin"


class CodeExpired(Exception):
    pass


class CodeInvalid(Exception):
    pass


def checkin_code(*, meeting_id: int) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(str(meeting_id))


def checkin_code_meeting(code: str) -> int:
    """The meeting id a code was made for; CodeExpired after CHECKIN_CODE_SECONDS, CodeInvalid
    when it was not made here."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        return int(signer.unsign(code, max_age=CHECKIN_CODE_SECONDS))
    except signing.SignatureExpired as exc:
        raise CodeExpired from exc
    except (signing.BadSignature, ValueError) as exc:
        raise CodeInvalid from exc
