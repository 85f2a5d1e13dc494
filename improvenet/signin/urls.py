from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from improvenet.signin import views
from improvenet.signin.forms import LimitedPasswordResetForm

app_name = "signin"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="signin/password_change.html", success_url=reverse_lazy("signin:password-done")
        ),
        name="password",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="signin/password_done.html"),
        name="password-done",
    ),
    path(
        "password/reset/",
        views.PasswordResetView.as_view(
            form_class=LimitedPasswordResetForm, template_name="signin/password_reset.html",
            email_template_name="signin/password_reset_email.txt",
            subject_template_name="signin/password_reset_subject.txt",
            success_url=reverse_lazy("signin:password-reset-sent"),
        ),
        name="password-reset",
    ),
    path(
        "password/reset/sent/",
        views.PasswordResetSentView.as_view(),
        name="password-reset-sent",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password/reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("sso/start/", views.oidc_start, name="oidc-start"),
    path("sso/callback/", views.oidc_callback, name="oidc-callback"),
]
