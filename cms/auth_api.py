"""API tokens: login (POST /api/v1/auth/token/), logout (DELETE), expiry and revocation.

A token lasts API_TOKEN_TTL_DAYS from its creation; an expired token answers 401 and the client
logs in again (which issues a new one). Changing a password (anywhere: the site, the admin, the
forced first-login change) deletes the user's token, so a lost phone's session ends with it.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cms.authentication import ExpiringTokenAuthentication, token_expired
from cms.security import is_locked_out, lock_message, lock_seconds_left


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
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
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
        return Response({"token": token.key})

    @extend_schema(
        summary="退出登录：使当前令牌失效 Log out: the token stops working",
        request=None,
        responses={204: OpenApiResponse(description="已退出"), 401: OpenApiResponse()},
        tags=["auth"],
    )
    def delete(self, request, *args, **kwargs):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
