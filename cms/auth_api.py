"""API tokens: login (POST /api/v1/auth/token/), logout (DELETE), expiry and revocation.

A token lasts API_TOKEN_TTL_DAYS from its creation; an expired token answers 401 and the client
logs in again (which issues a new one). Changing a password (anywhere: the site, the admin, the
forced first-login change) deletes the user's token, so a lost phone's session ends with it.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cms.authentication import ExpiringTokenAuthentication, token_expired


class ObtainTokenView(ObtainAuthToken):
    """POST {"username", "password"} → {"token"}; DELETE (with the token) logs out."""

    renderer_classes = ObtainAuthToken.renderer_classes
    throttle_scope = "login"

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
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
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
