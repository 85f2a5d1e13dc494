from django.urls import path

from improvenet.accounts import views

# Signing in and out and passwords live in improvenet.signin (its addresses start with /accounts/ too).
app_name = "accounts"
c = "clusters/<slug:cluster>"
urlpatterns = [
    path("accounts/tokens/", views.tokens_page, name="tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("accounts/invitations/<str:secret>/", views.invitation_accept, name="invitation"),
    path("accounts/invitations/<str:secret>/sso/", views.invitation_sso, name="invitation_sso"),
    path(f"{c}/roles/", views.roles_page, name="roles"),
    path(f"{c}/roles/grant/", views.role_grant, name="role_grant"),
    path(f"{c}/roles/<int:role_id>/change/", views.role_change, name="role_change"),
    path(f"{c}/roles/<int:role_id>/revoke/", views.role_revoke, name="role_revoke"),
    path(f"{c}/roles/<int:role_id>/deactivate-account/", views.account_deactivate, name="account_deactivate"),
    path(f"{c}/roles/log/", views.role_log, name="role_log"),
    path(f"{c}/roles/log.csv", views.role_log_csv, name="role_log_csv"),
    path(f"{c}/invitations/", views.invitations_page, name="invitations"),
    path(f"{c}/invitations/new/", views.invitation_new, name="invitation_new"),
    path(f"{c}/invitations/bulk/", views.invitation_bulk, name="invitation_bulk"),
    path(f"{c}/invitations/<int:invitation_id>/resend/", views.invitation_resend, name="invitation_resend"),
    path(f"{c}/invitations/<int:invitation_id>/withdraw/", views.invitation_withdraw, name="invitation_withdraw"),
]
