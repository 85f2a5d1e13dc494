from django.urls import path

from improvenet.accounts import views

# Signing in and out and passwords live in improvenet.signin, at the same /accounts/ addresses.
app_name = "accounts"
urlpatterns = [
    path("tokens/", views.tokens_page, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
