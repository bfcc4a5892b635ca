"""Admin forms of learning.classes: training classes, and the roster upload."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput

from learning.classes.membership import PATH as MEMBERSHIP_PATH
from learning.classes.membership import (
    audience_error,
    audience_mismatches,
    trainee_member_link,
    trainee_organisation,
    with_organisation,
)
from learning.classes.models import Enrolment, TraineeProfile, TraineeStage, TrainingClass
from learning.classes.roster import initial_password_generate, trainee_account_create
from learning.classes.selectors import (
    can_view_all_classes,
    classes_for_trainer,
    trainee_branch_choices,
    trainees_for_trainer,
)
from learning.classes.signals import class_pass_mark_changed
from party.organisation.models import Unit

TRAINERS_GROUP = "培训管理员"  # cms.roles.TRAINERS; learning/ may not import cms/.


class TrainingClassForm(WagtailAdminModelForm):
    audience_override_reason = forms.CharField(
        label=_("不符合培训对象仍编入的理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "发展对象培训班只编入发展阶段为发展对象的学员；党校/组织部工作人员确需编入其他学员时，"
            "在此写明理由，随编班记录保存。"
        ),
    )

    class Meta:
        model = TrainingClass
        fields = [
            "name",
            "intake",
            "audience_stage",
            "start_date",
            "end_date",
            "credits_since",
            "required_hours",
            "leave_allowance_percent",
            "pass_mark",
            "certificate_shows_score",
            "required_lessons",
            "trainers",
            "trainees",
        ]
        widgets = {
            "required_lessons": forms.CheckboxSelectMultiple,
            "trainers": forms.CheckboxSelectMultiple,
            "trainees": forms.SelectMultiple(attrs={"size": 12}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty it is the default, 0: no 请假 counts (issue 14).
        self.fields["leave_allowance_percent"].required = False
        User = get_user_model()
        self.fields["trainers"].queryset = (
            User.objects.filter(Q(groups__name=TRAINERS_GROUP) | Q(is_staff=True), is_active=True)
            .distinct()
            .order_by("username")
        )
        self.fields["trainers"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["required_lessons"].queryset = self.fields[
            "required_lessons"
        ].queryset.order_by("path")
        # Enrolment choices: the same selector as the trainee admin and the roster import —
        # trainees of the user's classes or in no class yet (staff: everyone).
        user = getattr(self, "for_user", None)
        trainees = (
            trainees_for_trainer(user=user) if user is not None else TraineeProfile.objects.none()
        )
        self.fields["trainees"].queryset = with_organisation(trainees).order_by(
            "branch_name", "student_no"
        )
        self.fields["trainees"].label_from_instance = lambda p: (
            f"{p.name}（{p.student_no}）· {p.branch_name}"
        )
        self.fields["trainees"].help_text = _(
            "按住 Ctrl（Mac 上为 ⌘）可多选；人数较多时请用“导入学员名单”批量编班。"
        )

    def clean_leave_allowance_percent(self):
        value = self.cleaned_data.get("leave_allowance_percent")
        return Decimal("0") if value is None else value

    def clean(self):
        cleaned = super().clean()
        user = getattr(self, "for_user", None)
        if user is not None and not can_view_all_classes(user):
            # A trainer cannot hand their own class away: they stay among its trainers.
            trainers = list(cleaned.get("trainers") or [])
            if user not in trainers:
                trainers.append(user)
                cleaned["trainers"] = trainers
        self._check_audience(cleaned, user)
        return cleaned

    def _check_audience(self, cleaned, user) -> None:
        """Newly enrolled trainees must be of the class's audience (membership.AUDIENCE_STAGES),
        unless staff give a reason, which is recorded on those enrolments."""
        chosen = cleaned.get("trainees")
        stage = cleaned.get("audience_stage")
        if chosen is None or not stage:
            return
        before = (
            set(self.instance.trainees.values_list("pk", flat=True)) if self.instance.pk else set()
        )
        probe = TrainingClass(audience_stage=stage)
        self.audience_overrides = audience_mismatches(
            probe, [p for p in chosen if p.pk not in before]
        )
        if not self.audience_overrides:
            return
        reason = (cleaned.get("audience_override_reason") or "").strip()
        if reason and user is not None and can_view_all_classes(user):
            return
        message = audience_error(probe, self.audience_overrides)
        if user is not None and can_view_all_classes(user):
            message += str(_("确需编入请填写理由。"))
        self.add_error("trainees", message)

    def save(self, commit=True):
        existed = self.instance.pk is not None
        instance = super().save(commit=commit)
        overrides = getattr(self, "audience_overrides", [])
        if commit and overrides:
            Enrolment.objects.filter(
                training_class=instance, trainee__in=[p for p, _stage in overrides]
            ).update(
                audience_override_reason=self.cleaned_data["audience_override_reason"].strip(),
                audience_override_by=getattr(self, "for_user", None),
            )
        if commit and existed and "pass_mark" in self.changed_data:
            class_pass_mark_changed.send(
                sender=TrainingClass, training_class=instance, by=getattr(self, "for_user", None)
            )
        return instance


class UnitChoiceField(forms.ModelChoiceField):
    """A 党支部 shown as "学院 / 党支部" (units annotated with college_name)."""

    def label_from_instance(self, obj):
        college = getattr(obj, "college_name", "")
        return f"{college} / {obj.name}" if college else obj.name


class TraineeForm(WagtailAdminModelForm):
    """A trainee's profile. No account field (it listed every account of the site): a new trainee
    gets their own account, username = 学号, as in the roster import.

    The 党支部 is a unit of the Party tree (selectors.trainee_branch_choices). On create, it and
    the 发展阶段 with its dates make the member record and its documented history
    (membership.trainee_member_link); on edit they belong to the member record: the unit is shown
    disabled (moving a member is 组织关系转接, done in the registry) and the stage read-only."""

    unit = UnitChoiceField(
        label=_("党支部"),
        queryset=Unit.objects.none(),
        help_text=_("从党组织中选择学员所在的党支部（学院 / 党支部）。"),
    )
    current_stage = forms.CharField(label=_("发展阶段"), required=False, disabled=True)
    # Not fields of the profile: on create they write the member record's documented history.
    stage = forms.ChoiceField(
        label=_("发展阶段"), choices=TraineeStage.choices, initial=TraineeStage.APPLICANT
    )
    applied_on = forms.DateField(
        label=_("递交入党申请书日期"), required=False, widget=AdminDateInput
    )
    activist_on = forms.DateField(
        label=_("确定为入党积极分子日期"), required=False, widget=AdminDateInput
    )
    candidate_on = forms.DateField(
        label=_("确定为发展对象日期"), required=False, widget=AdminDateInput
    )
    probationary_on = forms.DateField(
        label=_("接收为预备党员日期"), required=False, widget=AdminDateInput
    )
    full_member_on = forms.DateField(
        label=_("转为正式党员日期"), required=False, widget=AdminDateInput
    )

    class Meta:
        model = TraineeProfile
        fields = ["name", "student_no", "phone", "must_change_password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = trainee_branch_choices(getattr(self, "for_user", None))
        if self.instance.pk:
            # Unit and stage are the member record's (发展纪实), changed there with a decision.
            for name in ("stage", *(f for _s, f in MEMBERSHIP_PATH)):
                del self.fields[name]
            organisation = trainee_organisation(self.instance)
            unit = self.fields["unit"]
            unit.disabled, unit.required = True, False
            unit.initial = organisation.branch_unit.pk if organisation.branch_unit else None
            unit.help_text = _("调整党支部请在党员档案中办理组织关系转接。")
            self.fields["current_stage"].initial = self.instance.stage_display
            self.fields["current_stage"].help_text = _(
                "发展阶段以发展纪实为准，请在党员档案的发展纪实中记录变更。"
            )
        else:
            del self.fields["current_stage"]
        self.order_fields(
            [
                "name",
                "student_no",
                "unit",
                "current_stage",
                "stage",
                *(f for _s, f in MEMBERSHIP_PATH),
            ]
        )
        if not self.instance.pk:
            self.fields["must_change_password"].initial = True
            self.fields["student_no"].help_text = _(
                "同时创建登录账号：用户名为学号/工号，初始密码随机生成、保存后只显示一次，首次登录须修改密码。"
            )

    def clean(self):
        cleaned = super().clean()
        # Stage dates in order (issue 14): each on or after the one before.
        previous = None
        for _stage, name in MEMBERSHIP_PATH:
            day = cleaned.get(name)
            if day is None:
                continue
            if previous and day < previous[1]:
                self.add_error(
                    name,
                    _("不能早于%(field)s（%(day)s）。")
                    % {
                        "field": self.fields[previous[0]].label,
                        "day": previous[1].isoformat(),
                    },
                )
            previous = (name, day)
        return cleaned

    def clean_student_no(self):
        number = self.cleaned_data["student_no"].strip()
        if not self.instance.pk:
            User = get_user_model()
            if User.objects.filter(username=number).exists():
                raise forms.ValidationError(_("已有同名的账号，请联系管理员处理。"))
        return number

    @transaction.atomic
    def save(self, commit=True):
        if not self.instance.pk:
            password = initial_password_generate()
            data = self.cleaned_data
            user = trainee_account_create(
                student_no=data["student_no"], name=data["name"], password=password
            )
            self.instance.user = user
            # The member record first (the profile points at it): same account or 学号, else new
            # in the chosen 党支部 with the stage and dates as its documented history.
            self.instance.member = trainee_member_link(
                user=user,
                name=data["name"],
                student_no=data["student_no"],
                phone=data.get("phone", ""),
                unit=data["unit"],
                stage=data["stage"],
                dates={f: data.get(f) for _s, f in MEMBERSHIP_PATH},
                by_user=getattr(self, "for_user", None),
            )
            # Shown once, in the create view's success message (viewsets.TraineeCreateView).
            self.instance.initial_password = password
        return super().save(commit=commit)


class TraineeImportForm(forms.Form):
    file = forms.FileField(
        label=_("学员名单（.xlsx）"),
        help_text=_(
            "列名：姓名、学号/工号、学院、党支部、发展阶段、手机号（可选）。有任何错误则全部不导入。"
        ),
    )
    training_class = forms.ModelChoiceField(
        label=_("同时编入培训班"), queryset=TrainingClass.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training_class"].queryset = classes_for_trainer(user=user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("文件过大（最大 10 MB）。"))
        return upload
