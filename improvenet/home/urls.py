from django.urls import path

from improvenet.home import views

app_name = "home"

urlpatterns = [
    path("", views.my_work, name="mine"),
]
