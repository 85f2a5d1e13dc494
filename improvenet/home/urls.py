from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from improvenet.home import views

app_name = "home"

urlpatterns = [
    path("", views.my_work, name="mine"),
    # Pages that name no icon (the admin's, the API's documents) make browsers ask for /favicon.ico.
    path("favicon.ico", RedirectView.as_view(url=static("improvenet/favicon.svg"), permanent=True), name="favicon"),
]
