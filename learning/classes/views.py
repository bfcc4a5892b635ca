"""Site views of learning.classes: 我的 (the account page of the phone tab bar) and the password
change every imported trainee starts with."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme

from learning.classes.accounts import initial_password_done
from learning.classes.middleware import SESSION_FLAG
from learning.classes.selectors import own_trainee_profile


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "classes/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        initial_password_done(user=self.request.user)
        self.request.session.pop(SESSION_FLAG, None)
        target = self.request.POST.get("next") or self.request.GET.get("next")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            response["Location"] = target
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = bool(self.request.session.get(SESSION_FLAG))
        context["next"] = self.request.GET.get("next", "")
        return context


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "classes/password_change_done.html"


@login_required
def my_account(request):
    """我的: who is signed in (their own trainee profile only), password, language, sign out."""
    profile = own_trainee_profile(request.user)
    return render(request, "classes/my_account.html", {"profile": profile})
