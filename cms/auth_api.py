"""API tokens: login (POST /api/v1/auth/token/), logout (DELETE), expiry and revocation.

A token lasts API_TOKEN_TTL_DAYS from its creation; an expired token answers 401 and the client
logs in again (which issues a new one). Changing a password (anywhere: the site, the admin, the
forced first-login change) deletes the user's token, so a lost phone's session ends with it.
"""

from django.contrib.auth import update_session_auth_hash
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cms.authentication import ExpiringTokenAuthentication, token_expired
from cms.security import is_locked_out, lock_message, lock_seconds_left
from learning.classes.accounts import password_change
from learning.classes.middleware import SESSION_FLAG, must_change_password


class LoginThrottled(exceptions.APIException):
    """429 with Retry-After (DRF's handler sets it from `wait`); the message says how long."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = public_code = "login_throttled"

    def __init__(self, seconds: int):
        self.wait = seconds
        super().__init__(detail=lock_message(seconds), code=self.default_code)


class ObtainTokenView(ObtainAuthToken):
    """POST {"username", "password"} → {"token"}; DELETE (with the token) logs out."""

    renderer_classes = ObtainAuthToken.renderer_classes

    def _logging_out(self) -> bool:
        # The schema generator may build the view without a request.
        return getattr(getattr(self, "request", None), "method", None) == "DELETE"

    def get_permissions(self):
        return [IsAuthenticated()] if self._logging_out() else []

    def get_authenticators(self):
        # Login takes a password and must work whatever stale token the client still sends;
        # logout (DELETE) must name the token it ends.
        if self._logging_out():
            return [ExpiringTokenAuthentication()]
        return []

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses={
            200: inline_serializer(
                "TokenResponse",
                {
                    "token": serializers.CharField(),
                    "password_change_required": serializers.BooleanField(
                        help_text="初始密码未改：先 POST /api/v1/auth/password/，否则其他接口均返回 403"
                    ),
                },
            ),
            400: OpenApiResponse(description="用户名或密码错误 Wrong username or password"),
            429: OpenApiResponse(
                description="登录失败次数过多（Retry-After 秒后再试）Too many failed logins: "
                'try again after Retry-After seconds; code "login_throttled"'
            ),
        },
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes flags the request it was handed when it refused a locked account (or
            # this failure caused the lock): say so, instead of "wrong password".
            if is_locked_out(request):
                username = str(request.data.get("username", ""))
                raise LoginThrottled(lock_seconds_left(request, username) or 1)
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        if token_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        # Such a token only changes the password (POST /api/v1/auth/password/) or logs out;
        # everything else answers 403 "password_change_required" until then.
        return Response(
            {"token": token.key, "password_change_required": must_change_password(user)}
        )

    @extend_schema(
        summary="退出登录：使当前令牌失效 Log out: the token stops working",
        request=None,
        responses={204: OpenApiResponse(description="已退出"), 401: OpenApiResponse()},
        tags=["auth"],
    )
    def delete(self, request, *args, **kwargs):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    new_password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class PasswordChangeView(APIView):
    """POST {"old_password", "new_password"}: change one's own password (the initial one too).

    Changing it ends the account's API token; the answer carries a new one for a client that
    authenticated with a token (a browser session stays logged in).
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="修改密码（含首次登录的初始密码） Change the password (also the initial one)",
        request=PasswordChangeSerializer,
        responses={
            200: inline_serializer(
                "PasswordChangeResponse",
                {
                    "token": serializers.CharField(
                        allow_null=True, help_text="新令牌；会话登录时为 null"
                    )
                },
            ),
            400: OpenApiResponse(description="原密码错误或新密码不合要求"),
            401: OpenApiResponse(),
        },
        tags=["auth"],
    )
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request.user
        data = serializer.validated_data
        if not user.check_password(data["old_password"]):
            raise exceptions.ValidationError({"old_password": [_("原密码不正确。")]})
        if data["new_password"] == data["old_password"]:
            raise exceptions.ValidationError({"new_password": [_("新密码不能与原密码相同。")]})
        password_change(user=user, new_password=data["new_password"])
        if isinstance(request.auth, Token):
            return Response({"token": Token.objects.create(user=user).key})
        update_session_auth_hash(request._request, user)
        request._request.session.pop(SESSION_FLAG, None)
        return Response({"token": None})
