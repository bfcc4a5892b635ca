"""What an import would do (the plan shown in the preview) and doing it, all or nothing.

Every row is checked before anything is written (reading, then units, checks): a bad row stops
the whole file. A new trainee gets an account (学号, a random initial password) and is linked to
their member record: the existing one of their 学号 (关联已有档案), or a new one in the row's 党支部
with a documented history reaching the row's stage (新建档案; the roster has no dates, so each
is the import day, said in its note: membership.trainee_member_link). An existing trainee's name
and phone are updated; their 党支部 and stage are their record's, never the roster's.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from learning.classes.membership import trainee_member_link
from learning.classes.models import Enrolment, TraineeProfile, TrainingClass
from learning.classes.roster.checks import check_audience, check_trainee_scope
from learning.classes.roster.reading import RosterError, RosterRow, roster_read
from learning.classes.roster.sheets import InitialPassword, initial_password_generate
from learning.classes.roster.units import rows_place
from tabular import services as tabular_services
from tabular.models import TableUpload

TRAINEES_GROUP = "学员"  # cms.roles.TRAINEES, named here because learning/ may not import cms/.


@dataclass
class ImportResult:
    created: int = 0  # trainees (accounts) created
    updated: int = 0
    enrolled: int = 0
    linked: int = 0  # rows linked to an existing member record (关联已有档案)
    new_records: int = 0  # member records created (新建档案)
    initial_passwords: list[InitialPassword] = field(default_factory=list)


@dataclass
class RosterPlan:
    """What an import would do, shown in the preview before anything is written."""

    rows: list[RosterRow]
    header_row: int | None = None
    format_label: str = ""
    ignored: list[str] = field(default_factory=list)
    to_create: int = 0
    to_update: int = 0

    @property
    def to_link(self) -> int:
        return sum(1 for r in self.rows if r.member is not None)

    @property
    def to_new_record(self) -> int:
        return len(self.rows) - self.to_link


def roster_plan(file, *, by=None, training_class=None) -> RosterPlan:
    """Check the roster and say what importing it would do; RosterError listing every bad row.

    `by`: the importing user, whose scope limits the 党支部 rows may name (units.UnitMap) and the
    existing trainees they may update (checks.check_trainee_scope); None is the command line.
    `training_class`: the class they are to be enrolled in (its audience, checks.check_audience).
    """
    rows, table = roster_read(file)
    errors = rows_place(rows, by=by)
    errors += check_trainee_scope(rows, by=by)
    errors += check_audience(rows, training_class)
    if errors:
        errors.sort(key=lambda e: e.row or 0)
        raise RosterError(errors)
    existing = TraineeProfile.objects.filter(student_no__in=[r.student_no for r in rows]).count()
    return RosterPlan(
        rows=rows,
        header_row=table.header_row,
        format_label=table.format_label,
        ignored=table.ignored,
        to_create=len(rows) - existing,
        to_update=existing,
    )


def trainees_import(
    *,
    file,
    training_class=None,
    progress: Callable[[int, int], None] | None = None,
    by=None,
) -> ImportResult:
    """Create or update trainees from a roster, link each to their member record and enrol them
    in `training_class`; all or nothing (roster_plan's checks first; RosterError).

    New accounts log in with their 学号 as username and a random initial password, returned in
    `result.initial_passwords` (for initial_password_sheet) and nowhere else; they must change it
    before anything else works (site, admin and API). Each is hashed, which is the slow part of a
    1,000-row roster: the admin runs the import as a background task (roster_upload_run).
    `progress(done, total)` is called as rows are written. `by` is the importing user (None: the
    command line).
    """
    plan = roster_plan(file, by=by, training_class=training_class)
    rows = plan.rows
    result = ImportResult()
    total = len(rows)
    if progress is not None:
        progress(0, total)
    with transaction.atomic():
        existing = {
            p.student_no: p
            for p in TraineeProfile.objects.select_related("user").filter(
                student_no__in=[r.student_no for r in rows]
            )
        }
        trainees_group = Group.objects.filter(name=TRAINEES_GROUP).first()
        for done, r in enumerate(rows, start=1):
            profile = existing.get(r.student_no)
            if profile is None:
                password = initial_password_generate()
                user = trainee_account_create(
                    student_no=r.student_no,
                    name=r.name,
                    password=password,
                    group=trainees_group,
                )
                result.initial_passwords.append(InitialPassword(r.student_no, r.name, password))
                # The member record first (the profile points at it). The roster has no stage
                # dates: each is the import day, said in its note.
                member = trainee_member_link(
                    user=user,
                    name=r.name,
                    student_no=r.student_no,
                    phone=r.phone,
                    unit=r.unit,
                    stage=r.stage,
                    dates={},
                    by_user=by,
                )
                profile = TraineeProfile.objects.create(
                    user=user,
                    member=member,
                    name=r.name,
                    student_no=r.student_no,
                    phone=r.phone,
                    must_change_password=True,
                )
                result.created += 1
            else:
                profile.name = r.name
                profile.phone = r.phone or profile.phone
                profile.save(update_fields=["name", "phone"])
                result.updated += 1
            if r.member is not None:
                result.linked += 1
            else:
                result.new_records += 1
            if training_class is not None:
                _enrolment, created = Enrolment.objects.get_or_create(
                    training_class=training_class, trainee=profile
                )
                result.enrolled += int(created)
            if progress is not None and (done % 50 == 0 or done == total):
                progress(done, total)
    return result


def roster_upload_run(*, upload_id: int) -> str:
    """Run a confirmed roster upload (the background task): progress, then the result."""
    upload = TableUpload.objects.filter(pk=upload_id).first()
    if upload is None or not upload.data:
        return "gone"
    options = upload.options
    training_class = None
    if options.get("class_id"):
        training_class = TrainingClass.objects.filter(pk=options["class_id"]).first()
    try:
        tabular_services.upload_start(upload_id=upload_id, total=0)
        result = trainees_import(
            file=tabular_services.upload_file(upload),
            training_class=training_class,
            by=upload.owner,
            progress=lambda done, total: tabular_services.upload_progress(
                upload_id=upload_id, done=done, total=total
            ),
        )
    except RosterError as exc:
        tabular_services.upload_finish(
            upload_id=upload_id,
            result={"errors": [str(e) for e in exc.errors], "total": exc.total},
            failed=True,
        )
        return "failed"
    except IntegrityError:
        # The rows were checked before the transaction; another import (or the trainee form)
        # wrote one of the same 学号 in between. The transaction rolled back: nothing is written.
        tabular_services.upload_finish(
            upload_id=upload_id,
            result={
                "errors": [
                    _(
                        "导入时另有操作同时写入了相同学号的学员，本次导入未写入任何数据。"
                        "请重新上传名单预览后再导入。"
                    )
                ],
                "total": 1,
            },
            failed=True,
        )
        return "failed"
    except Exception:
        # Whatever else stops it, the upload must not stay "running" for ever: it is marked
        # failed (the transaction rolled back) and the error goes on to the task's log.
        tabular_services.upload_finish(
            upload_id=upload_id,
            result={
                "errors": [
                    _("导入时出错，本次导入未写入任何数据。请稍后重试；如仍失败，请联系管理员。")
                ],
                "total": 1,
            },
            failed=True,
        )
        raise
    tabular_services.upload_finish(
        upload_id=upload_id,
        result={
            "created": result.created,
            "updated": result.updated,
            "enrolled": result.enrolled,
            "linked": result.linked,
            "new_records": result.new_records,
            "class": str(training_class) if training_class else "",
            # Until the importer opens the result page, which moves them into their session
            # for the one-time password sheet and removes them from here.
            "initial_passwords": [
                [p.student_no, p.name, p.password] for p in result.initial_passwords
            ],
        },
    )
    return "done"


def trainee_account_create(*, student_no: str, name: str, password: str, group=None):
    """The login account of a new trainee: username = 学号, `password` (a random one from
    initial_password_generate), in the 学员 role; the profile's must_change_password makes them
    change it at first login. Used by the roster import and by the trainee form, so both create
    accounts the same way."""
    User = get_user_model()
    user = User.objects.create_user(username=student_no, password=password)
    user.first_name = name[:150]
    user.save(update_fields=["first_name"])
    if group is None:
        group = Group.objects.filter(name=TRAINEES_GROUP).first()
    if group is not None:
        user.groups.add(group)
    return user
