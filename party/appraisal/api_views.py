"""REST API v2 of 民主评议党员 (docs/api.md): campaigns, 自我评价, the secret ballot, results after
the close, the committee's proposals, the 支部大会's decision, follow-ups and the report. Campaigns
are visible to the units' managers (the one scope selector) and to their participants; others → 404.
"""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from party.appraisal import rules, selectors, services
from party.appraisal.exceptions import AppraisalError, NotParticipantError, NotYetError
from party.appraisal.models import Campaign, FollowUpAction, Grade, Phase
from party.meetings.selectors import meetings_managed
from party.organisation.models import Unit
from party.organisation.selectors import unit_scope


class AppraisalRefused(exceptions.APIException):
    """An AppraisalError in the API's error format, with its code (`{"detail", "code"}`)."""

    def __init__(self, error: AppraisalError):
        super().__init__(detail=error.message)
        self.status_code = error.status
        self.public_code = error.code


def _refused(error: AppraisalError):
    return Http404() if error.status == 404 else AppraisalRefused(error)


NOT_FOUND = OpenApiResponse(description="民主评议不存在或无权查看")


class CampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    year = serializers.IntegerField()
    phase = serializers.ChoiceField(choices=Phase.choices, read_only=True)
    phase_display = serializers.CharField(source="get_phase_display", read_only=True)
    self_assessment_from = serializers.DateField(required=False)
    peer_rating_from = serializers.DateField(required=False)
    proposal_from = serializers.DateField(required=False)
    decision_from = serializers.DateField(required=False)
    published_on = serializers.DateField(required=False)
    excellent_max_percent = serializers.IntegerField(read_only=True)
    probationary_counted = serializers.BooleanField(read_only=True)
    decided_on = serializers.DateField(read_only=True, allow_null=True)
    decision_meeting = serializers.IntegerField(
        source="decision_meeting_id", read_only=True, allow_null=True
    )


class CampaignDetailSerializer(CampaignSerializer):
    participants = serializers.IntegerField(help_text="参评党员")
    voted = serializers.IntegerField(help_text="已投票人数（仅管理者可见）", allow_null=True)
    manage = serializers.BooleanField(help_text="调用者可管理本次民主评议")
    taking_part = serializers.BooleanField(help_text="调用者是参评党员")
    has_voted = serializers.BooleanField(help_text="调用者已投票")


def _detail(campaign: Campaign, user) -> dict:
    data = dict(CampaignSerializer(campaign).data)
    manage = selectors.can_manage(user=user, campaign=campaign)
    participant = selectors.participant_of(user=user, campaign=campaign)
    participation = selectors.participation(campaign=campaign)
    data.update(
        participants=participation.eligible,
        voted=participation.voted if manage else None,
        manage=manage,
        taking_part=participant is not None,
        has_voted=bool(participant)
        and selectors.has_voted(campaign=campaign, member_id=participant.member_id),
    )
    return data


def _visible(request, pk) -> Campaign:
    campaign = selectors.campaigns_visible(user=request.user).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def _managed(request, pk) -> Campaign:
    campaign = selectors.campaigns_managed(user=request.user).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


class YearParam(serializers.Serializer):
    """`?year=`: validated (not a year → 400, never silently ignored) and described in the schema."""

    year = serializers.IntegerField(required=False, min_value=1921, max_value=9999)


def _year(request) -> int | None:
    params = YearParam(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data.get("year")


class CampaignListView(APIView):
    """Campaigns the caller manages or takes part in; POST opens one (a branch) or one per branch
    (a 院系党委) for a year."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[YearParam],
        responses={200: CampaignSerializer(many=True)},
    )
    def get(self, request):
        qs = selectors.campaigns_visible(user=request.user).order_by("-year", "unit__path")
        if year := _year(request):
            qs = qs.filter(year=year)
        return Response(CampaignSerializer(qs[:200], many=True).data)

    @extend_schema(
        request=CampaignSerializer,
        responses={201: CampaignSerializer(many=True), 400: OpenApiResponse(), 404: NOT_FOUND},
    )
    def post(self, request):
        data = CampaignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        unit = Unit.objects.filter(pk=values.pop("unit_id")).first()
        if unit is None or not unit_scope(user=request.user).covers(unit):
            raise Http404
        year = values.pop("year")
        dates = None
        if values:
            dates = services.planned_dates(values.get("self_assessment_from", timezone.localdate()))
            dates.update(values)
        try:
            campaigns = services.campaign_open(
                by_user=request.user, unit=unit, year=year, dates=dates
            )
        except AppraisalError as exc:
            raise _refused(exc) from exc
        return Response(
            CampaignSerializer(campaigns, many=True).data, status=status.HTTP_201_CREATED
        )


class CampaignDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: CampaignDetailSerializer, 404: NOT_FOUND})
    def get(self, request, pk):
        return Response(_detail(_visible(request, pk), request.user))


class AdvanceView(APIView):
    """The branch's managers move the campaign to its next phase."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: CampaignDetailSerializer, 400: OpenApiResponse(), 404: NOT_FOUND},
    )
    def post(self, request, pk):
        _managed(request, pk)
        try:
            campaign = services.campaign_advance(by_user=request.user, campaign_id=pk)
        except AppraisalError as exc:
            raise _refused(exc) from exc
        return Response(_detail(campaign, request.user))


class AppraisalSelfAssessmentSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=3000, trim_whitespace=False)
    saved_at = serializers.DateTimeField(read_only=True, allow_null=True)


class SelfAssessmentView(APIView):
    """The caller's own 自我评价 in a campaign; PUT saves it (the page calls it as they type)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: AppraisalSelfAssessmentSerializer, 403: OpenApiResponse(), 404: NOT_FOUND}
    )
    def get(self, request, pk):
        campaign = _visible(request, pk)
        participant = selectors.participant_of(user=request.user, campaign=campaign)
        if participant is None:
            raise AppraisalRefused(
                NotParticipantError(_("您不是本次民主评议的参评党员。"), code="not_participant")
            )
        return Response(
            {"text": participant.self_assessment, "saved_at": participant.self_assessment_saved_at}
        )

    @extend_schema(
        request=AppraisalSelfAssessmentSerializer,
        responses={
            200: AppraisalSelfAssessmentSerializer,
            400: OpenApiResponse(),
            403: OpenApiResponse(description="不是参评党员"),
            404: NOT_FOUND,
        },
    )
    def put(self, request, pk):
        _visible(request, pk)
        data = AppraisalSelfAssessmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            participant = services.self_assessment_save(
                user=request.user, campaign_id=pk, text=data.validated_data["text"]
            )
        except AppraisalError as exc:
            raise _refused(exc) from exc
        return Response(
            {"text": participant.self_assessment, "saved_at": participant.self_assessment_saved_at}
        )


class AppraisalBallotMemberSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member_id")
    name = serializers.CharField(source="member.name")


class AppraisalBallotSerializer(serializers.Serializer):
    open = serializers.BooleanField(help_text="民主测评进行中")
    has_voted = serializers.BooleanField()
    counted = serializers.BooleanField(help_text="调用者的选票计入票数（预备党员按规定不计）")
    members = AppraisalBallotMemberSerializer(
        many=True, help_text="要测评的党员（除本人外的全部参评党员）"
    )


class BallotView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: AppraisalBallotSerializer, 403: OpenApiResponse(), 404: NOT_FOUND}
    )
    def get(self, request, pk):
        campaign = _visible(request, pk)
        participant = selectors.participant_of(user=request.user, campaign=campaign)
        if participant is None:
            raise AppraisalRefused(
                NotParticipantError(_("您不是本次民主评议的参评党员。"), code="not_participant")
            )
        data = {
            "open": campaign.phase == Phase.PEER_RATING,
            "has_voted": selectors.has_voted(campaign=campaign, member_id=participant.member_id),
            "counted": selectors.ballot_counted(campaign=campaign, participant=participant),
            "members": selectors.ballot_members(campaign=campaign, participant=participant),
        }
        return Response(AppraisalBallotSerializer(data).data)


class AppraisalRatingSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    grade = serializers.ChoiceField(choices=Grade.choices)


class AppraisalVotesSerializer(serializers.Serializer):
    ratings = AppraisalRatingSerializer(many=True)


class AppraisalVoteResultSerializer(serializers.Serializer):
    detail = serializers.CharField()


class VotesView(APIView):
    """One secret ballot: a grade for every other participant. 201 once; 409 again; 403 for a
    non-member or a member of another branch; 400 before the opening, after the close or for an
    incomplete ballot. Nothing is counted on a refusal."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AppraisalVotesSerializer,
        responses={
            201: AppraisalVoteResultSerializer,
            400: OpenApiResponse(description="未开始/已结束/选票不完整"),
            403: OpenApiResponse(description="不是本支部的参评党员"),
            404: NOT_FOUND,
            409: OpenApiResponse(description="已投票"),
        },
    )
    def post(self, request, pk):
        # Only existence is checked before the body: a member of another branch is told why
        # (403), not that the campaign does not exist.
        if not Campaign.objects.filter(pk=pk).exists():
            raise Http404
        data = AppraisalVotesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ratings: dict[int, str] = {}
        for row in data.validated_data["ratings"]:
            if row["member"] in ratings:
                raise exceptions.ValidationError({"ratings": [_("同一名党员只能评一次。")]})
            ratings[row["member"]] = row["grade"]
        try:
            services.vote_cast(user=request.user, campaign_id=pk, ratings=ratings)
        except AppraisalError as exc:
            raise _refused(exc) from exc
        return Response({"detail": _("投票成功，谢谢参与。")}, status=status.HTTP_201_CREATED)


class AppraisalResultRowSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="participant.member_id")
    name = serializers.CharField(source="participant.member.name")
    excellent = serializers.IntegerField(source="counts.excellent", allow_null=True)
    qualified = serializers.IntegerField(source="counts.qualified", allow_null=True)
    basic = serializers.IntegerField(source="counts.basic", allow_null=True)
    unqualified = serializers.IntegerField(source="counts.unqualified", allow_null=True)
    proposed_grade = serializers.CharField(source="participant.proposed_grade")
    decided_grade = serializers.CharField(source="participant.decided_grade")


class AppraisalResultsSerializer(serializers.Serializer):
    participants = serializers.IntegerField()
    voted = serializers.IntegerField()
    counts_shown = serializers.BooleanField(
        help_text="票数可见：计票数不少于 min_counted_ballots（否则各等次票数为 null）"
    )
    min_counted_ballots = serializers.IntegerField()
    rows = AppraisalResultRowSerializer(many=True)


def _results(campaign: Campaign, rows) -> dict:
    participation = selectors.participation(campaign=campaign)
    return {
        "participants": participation.eligible,
        "voted": participation.voted,
        "counts_shown": selectors.counts_shown(campaign=campaign),
        "min_counted_ballots": rules.min_counted_ballots(),
        "rows": rows,
    }


class ResultsView(APIView):
    """After the 民主测评 closed: counts per member and grade, the proposed and decided grades.
    The branch's managers see every member; a participant sees their own row once published."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: AppraisalResultsSerializer, 409: OpenApiResponse(), 404: NOT_FOUND}
    )
    def get(self, request, pk):
        campaign = _visible(request, pk)
        manage = selectors.can_manage(user=request.user, campaign=campaign)
        if not selectors.results_visible(campaign) or (
            not manage and campaign.phase != Phase.PUBLISHED
        ):
            raise AppraisalRefused(
                NotYetError(
                    _("民主测评结束后才能查看结果。") if manage else _("结果公布后才能查看。"),
                    code="not_closed",
                )
            )
        rows = selectors.result_rows(campaign=campaign)
        if not manage:
            rows = [r for r in rows if r.member.user_id == request.user.pk]
        return Response(AppraisalResultsSerializer(_results(campaign, rows)).data)


class AppraisalProposalSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    grade = serializers.ChoiceField(choices=Grade.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AppraisalProposalsSerializer(serializers.Serializer):
    proposals = AppraisalProposalSerializer(many=True)


class ProposalsView(APIView):
    """The 支部委员会's proposed grades (the 优秀 share is checked over all of them)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AppraisalProposalsSerializer,
        responses={200: AppraisalResultsSerializer, 400: OpenApiResponse(), 404: NOT_FOUND},
    )
    def put(self, request, pk):
        _managed(request, pk)
        data = AppraisalProposalsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = data.validated_data["proposals"]
        try:
            campaign = services.proposals_set(
                by_user=request.user,
                campaign_id=pk,
                proposals={r["member"]: r["grade"] for r in rows},
                notes={r["member"]: r["note"] for r in rows},
            )
        except AppraisalError as exc:
            raise _refused(exc) from exc
        rows = selectors.result_rows(campaign=campaign)
        return Response(AppraisalResultsSerializer(_results(campaign, rows)).data)


class AppraisalDecisionSerializer(serializers.Serializer):
    decided_on = serializers.DateField()
    meeting = serializers.IntegerField(required=False, allow_null=True, help_text="支部党员大会")
    grades = AppraisalRatingSerializer(many=True, required=False, help_text="默认：支委会意见")


class DecisionView(APIView):
    """The 支部大会's decision: a grade for every participant, the day and the meeting."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AppraisalDecisionSerializer,
        responses={200: CampaignDetailSerializer, 400: OpenApiResponse(), 404: NOT_FOUND},
    )
    def post(self, request, pk):
        _managed(request, pk)
        data = AppraisalDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        meeting = None
        if values.get("meeting"):
            meeting = meetings_managed(user=request.user).filter(pk=values["meeting"]).first()
            if meeting is None:
                raise exceptions.ValidationError({"meeting": [_("会议不存在。")]})
        try:
            campaign = services.decision_record(
                by_user=request.user,
                campaign_id=pk,
                decided_on=values["decided_on"],
                grades={r["member"]: r["grade"] for r in values.get("grades") or []},
                meeting=meeting,
            )
        except AppraisalError as exc:
            raise _refused(exc) from exc
        return Response(_detail(campaign, request.user))


class AppraisalFollowUpSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    member = serializers.IntegerField(source="participant.member_id")
    action = serializers.ChoiceField(choices=FollowUpAction.choices)
    deadline = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    outcome = serializers.CharField(read_only=True)
    closed_on = serializers.DateField(read_only=True, allow_null=True)


class FollowUpsView(APIView):
    """Follow-ups of the members graded 不合格 (限期改正, 劝其退党, 除名)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AppraisalFollowUpSerializer(many=True), 404: NOT_FOUND})
    def get(self, request, pk):
        campaign = _managed(request, pk)
        return Response(
            AppraisalFollowUpSerializer(selectors.follow_ups(campaign=campaign), many=True).data
        )

    @extend_schema(
        request=AppraisalFollowUpSerializer,
        responses={201: AppraisalFollowUpSerializer, 400: OpenApiResponse(), 404: NOT_FOUND},
    )
    def post(self, request, pk):
        campaign = _managed(request, pk)
        data = AppraisalFollowUpSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        participant = campaign.participants.filter(
            member_id=values["participant"]["member_id"]
        ).first()
        if participant is None:
            raise exceptions.ValidationError({"member": [_("该党员不是本次民主评议的参评党员。")]})
        try:
            follow_up = services.follow_up_add(
                by_user=request.user,
                participant_id=participant.pk,
                action=values["action"],
                deadline=values.get("deadline"),
                note=values["note"],
            )
        except AppraisalError as exc:
            raise _refused(exc) from exc
        return Response(AppraisalFollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)


class AppraisalFollowUpCloseSerializer(serializers.Serializer):
    follow_up = serializers.IntegerField(help_text="处置记录 id（本次民主评议的、未办结的）")
    outcome = serializers.CharField(help_text="处置结果")
    closed_on = serializers.DateField(required=False, help_text="办结日期，默认今天")


class FollowUpCloseView(APIView):
    """Close an open follow-up of this campaign with its outcome and day (the branch's managers)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AppraisalFollowUpCloseSerializer,
        responses={200: AppraisalFollowUpSerializer, 400: OpenApiResponse(), 404: NOT_FOUND},
    )
    def post(self, request, pk):
        campaign = _managed(request, pk)
        data = AppraisalFollowUpCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        follow_up = (
            selectors.follow_ups(campaign=campaign)
            .filter(pk=values["follow_up"], closed_on__isnull=True)
            .first()
        )
        if follow_up is None:
            raise exceptions.ValidationError({"follow_up": [_("处置记录不存在或已办结。")]})
        try:
            follow_up = services.follow_up_close(
                by_user=request.user,
                follow_up_id=follow_up.pk,
                outcome=values["outcome"],
                closed_on=values.get("closed_on") or timezone.localdate(),
            )
        except AppraisalError as exc:
            raise _refused(exc) from exc
        return Response(AppraisalFollowUpSerializer(follow_up).data)


class AppraisalReportRowSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    unit_name = serializers.CharField(source="unit.name")
    campaign = serializers.IntegerField(source="campaign.pk", allow_null=True)
    phase = serializers.CharField(source="campaign.phase", allow_null=True)
    participants = serializers.IntegerField()
    voted = serializers.IntegerField()
    participation = serializers.FloatField(help_text="参与率（已投票/参评党员）")
    excellent = serializers.IntegerField(source="grades.excellent", default=0)
    qualified = serializers.IntegerField(source="grades.qualified", default=0)
    basic = serializers.IntegerField(source="grades.basic", default=0)
    unqualified = serializers.IntegerField(source="grades.unqualified", default=0)
    undecided = serializers.IntegerField(help_text="尚未评定")


class ReportView(APIView):
    """Per branch at or under a unit in the caller's scope: decided grades by count, participation."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[YearParam],
        responses={200: AppraisalReportRowSerializer(many=True), 404: OpenApiResponse()},
    )
    def get(self, request, pk):
        unit = Unit.objects.filter(pk=pk).first()
        if unit is None or not unit_scope(user=request.user).covers(unit):
            raise Http404
        year = _year(request) or timezone.localdate().year
        rows = selectors.report_rows(unit=unit, year=year)
        return Response(AppraisalReportRowSerializer(rows, many=True).data)
